using FuncTrace.Domain.Llm;
using FuncTrace.Domain.Prompts;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Hosting;

/// <summary>The LLM services from <c>FuncTrace:Llm</c>. Without an endpoint and model they still resolve; their calls answer 503.</summary>
public static class LlmSetup
{
    public static IServiceCollection AddLlm(this IServiceCollection services)
    {
        services.AddOptions<LlmOptions>()
            .BindConfiguration(LlmOptions.Section)
            .Validate(o => o.TimeoutSeconds > 0, "FuncTrace__Llm__TimeoutSeconds must be positive.")
            .Validate(o => o.MaxRetries >= 0, "FuncTrace__Llm__MaxRetries must not be negative.")
            .Validate(o => o.MaxConcurrency >= 1, "FuncTrace__Llm__MaxConcurrency must be at least 1.")
            .ValidateOnStart();
        services.AddSingleton(sp => new LlmService(sp.GetRequiredService<IOptions<LlmOptions>>().Value));
        // One limiter per instance: every judge call made here shares the endpoint's capacity.
        services.AddSingleton(sp => new AdaptiveConcurrencyLimiter(sp.GetRequiredService<IOptions<LlmOptions>>().Value.MaxConcurrency));
        services.AddSingleton<JudgeService>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<LlmOptions>>().Value);
        services.AddSingleton<PromptRecorder>();
        return services;
    }
}
