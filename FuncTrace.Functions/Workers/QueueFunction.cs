namespace FuncTrace.Functions.Workers;

/// <summary>
/// What a queue-triggered <c>function.json</c> needs: the function's name, its queue (before the storage prefix)
/// and the trigger binding's name.
/// </summary>
public sealed record QueueFunction(string FunctionName, string QueueName, string BindingName);
