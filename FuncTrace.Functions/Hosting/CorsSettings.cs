namespace FuncTrace.Functions.Hosting;

/// <summary>The <c>FuncTrace:Cors</c> settings: browser origins allowed to call the API.</summary>
public sealed class CorsSettings
{
    public const string Section = "FuncTrace:Cors";

    /// <summary>Comma-separated origins (<c>https://app.example.com</c>); none by default.</summary>
    public string? Origins { get; set; }

    public string[] OriginList() =>
        (Origins ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
