using System.Text.RegularExpressions;

namespace FuncTrace.Domain.Storage;

/// <summary>Checks container and queue names before any request, so a bad name fails fast with a clear message instead of a 400.</summary>
internal static partial class ResourceNames
{
    /// <summary>Containers and queues share one rule: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.</summary>
    public static string ValidateContainerOrQueueName(string name, string kind, string paramName)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        if (!ContainerOrQueueName().IsMatch(name))
        {
            throw new ArgumentException(
                $"'{name}' is not a valid {kind} name: use 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.",
                paramName);
        }
        return name;
    }

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerOrQueueName();
}
