using Azure;

namespace FuncTrace.Domain.Storage.Tables;

/// <summary>The whole transaction was rolled back; <see cref="FailedActionIndex"/> says which action the service refused.</summary>
public sealed class TableTransactionFailedException(int status, string message, string? errorCode, int? failedActionIndex)
    : RequestFailedException(status, message, errorCode, null)
{
    public int? FailedActionIndex { get; } = failedActionIndex;
}
