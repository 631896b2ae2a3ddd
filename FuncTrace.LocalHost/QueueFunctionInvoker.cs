using System.Reflection;
using Azure.Storage.Queues.Models;
using FuncTrace.Functions.Shared;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.LocalHost;

/// <summary>
/// Calls a queue-triggered function as the isolated worker does: a fresh instance of its class from the invocation's
/// scope, the trigger bound as a <see cref="string"/>, <see cref="QueueMessage"/> or <see cref="BinaryData"/>, and a
/// <see cref="CancellationToken"/> that fires when the host stops.
/// </summary>
public static class QueueFunctionInvoker
{
    public static Func<IServiceProvider, QueueMessage, CancellationToken, Task> For(QueueFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        var method = function.Method;
        var binders = method.GetParameters().Select(parameter => Binder(function, parameter)).ToArray();
        if (!typeof(Task).IsAssignableFrom(method.ReturnType))
        {
            throw new InvalidOperationException($"Queue function {function.Name} must return a Task.");
        }
        return async (services, message, cancellationToken) =>
        {
            var target = method.IsStatic ? null : ActivatorUtilities.CreateInstance(services, function.Class);
            try
            {
                await (Task)method.Invoke(target, binders.Select(bind => bind(message, cancellationToken)).ToArray())!;
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
            }
        };
    }

    private static Func<QueueMessage, CancellationToken, object?> Binder(QueueFunction function, ParameterInfo parameter)
    {
        if (parameter.GetCustomAttribute<QueueTriggerAttribute>() is not null)
        {
            return parameter.ParameterType switch
            {
                var t when t == typeof(string) => (message, _) => message.MessageText,
                var t when t == typeof(QueueMessage) => (message, _) => message,
                var t when t == typeof(BinaryData) => (message, _) => message.Body,
                _ => throw new InvalidOperationException($"{function.Name}: bind the queue trigger as string, QueueMessage or BinaryData."),
            };
        }
        return parameter.ParameterType == typeof(CancellationToken)
            ? (_, cancellationToken) => cancellationToken
            : throw new InvalidOperationException($"{function.Name}: parameter '{parameter.Name}' cannot be bound by the local host.");
    }
}
