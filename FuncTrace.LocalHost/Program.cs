using FuncTrace.LocalHost;

// The local stand-in for the Functions host (as Azurite is for Storage): serves the HTTP functions and drives the
// queue-triggered ones, from the same function classes and the same service registration as the isolated worker.
await LocalFunctionsHost.Build(args).RunAsync();
