using Azure;

namespace FuncTrace.Functions.Shared.Storage;

public static class NullableResponses
{
    /// <summary>The value of a <c>GetEntityIfExistsAsync</c>-style answer, or null when there was none.</summary>
    public static T? ValueOrNull<T>(this NullableResponse<T> response)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.HasValue ? response.Value : null;
    }
}
