using FuncTrace.Domain.Llm;
using Microsoft.Extensions.Options;

namespace FuncTrace.Functions.Llm;

/// <summary>
/// The LLM services from <c>FuncTrace:Llm</c>, shared by prompt and batch scoring. Without an endpoint and model they
/// still resolve and the app starts; only their calls answer 503 naming the settings.
/// </summary>
public static class LlmServices
{
    public static IServiceCollection AddLlm(this IServiceCollection services)
    {
        services.AddOptions<LlmOptions>().BindConfiguration(LlmOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<LlmOptions>>().Value);
        services.AddSingleton(sp => new LlmService(sp.GetRequiredService<LlmOptions>()));
        // One limiter per instance: every judge call made here shares the endpoint's capacity.
        services.AddSingleton(sp => new AdaptiveConcurrencyLimiter(sp.GetRequiredService<LlmOptions>().MaxConcurrency));
        services.AddSingleton<JudgeService>();
        return services;
    }
}
