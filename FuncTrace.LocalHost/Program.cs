using FuncTrace.LocalHost;
using Microsoft.Extensions.Options;

// The local stand-in for the Functions host (as Azurite is for Storage): serves the HTTP functions and drives the
// queue-triggered ones, from the same function classes and the same service registration as the isolated worker.
WebApplication app;
try
{
    app = LocalFunctionsHost.Build(args);
    await app.StartAsync();
}
catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException or FileNotFoundException)
{
    // A setting that cannot work: one line that names it, rather than a stack trace.
    await Console.Error.WriteLineAsync("FuncTrace.LocalHost cannot start: " + ex.Message);
    return 1;
}
await app.WaitForShutdownAsync();
await app.DisposeAsync();
return 0;
