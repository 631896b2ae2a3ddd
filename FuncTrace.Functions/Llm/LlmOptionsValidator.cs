using FuncTrace.Domain.Llm;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Llm;

/// <summary>Stops the start on an LLM setting that cannot work, naming it, instead of failing calls later.</summary>
public sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Endpoint)
            && !(Uri.TryCreate(options.Endpoint.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
        {
            problems.Add("FuncTrace__Llm__Endpoint must be an absolute http(s) URL such as https://<resource>.openai.azure.com/openai/v1/.");
        }
        if (options.TimeoutSeconds < 1)
        {
            problems.Add("FuncTrace__Llm__TimeoutSeconds must be positive.");
        }
        if (options.MaxRetries < 0)
        {
            problems.Add("FuncTrace__Llm__MaxRetries must not be negative.");
        }
        if (options.MaxConcurrency < 1)
        {
            problems.Add("FuncTrace__Llm__MaxConcurrency must be at least 1.");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
