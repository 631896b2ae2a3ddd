using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Llm;
using FuncTrace.Functions.BatchScoring;
using FuncTrace.Functions.Shared;

namespace FuncTrace.Functions.Commands;

/// <summary>
/// <c>batch_score</c>: the judge over <c>parameters.tests</c> with <c>parameters.judging_matrix</c>, as one batch-scoring
/// job (<see cref="BatchJobCreator"/>). The command completes when the job ends, with the job's counts and mean score;
/// each test's score and reasoning stay on the job (<c>GET api/batchScore/{job_id}</c>). The job's id comes from the
/// command, so running the command again finds the same job: it is repeatable.
/// </summary>
public sealed class BatchScoreCommand(BatchJobCreator creator, BatchJobStore store, LlmOptions llm) : IFollowedCommandType
{
    public string Name => "batch_score";

    public bool Repeatable => true;

    public void Validate(JsonElement parameters)
    {
        var given = CommandErrors.Bind<BatchScoreParameters>(parameters);
        Validation.Required(given.JudgingMatrix, "parameters.judging_matrix", int.MaxValue);
        creator.Validate(given.JudgingMatrix, given.Tests);
        if (!llm.IsConfigured)
        {
            throw LlmErrors.NotConfigured();
        }
    }

    public async Task<CommandOutcome> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var given = CommandErrors.Bind<BatchScoreParameters>(context.Parameters);
        try
        {
            var (job, _) = await creator.CreateAsync(context.Tenant, given.JudgingMatrix, given.Tests, JobIdFor(context), cancellationToken);
            return new CommandOutcome.Following(job.Id);
        }
        catch (FuncTraceException ex) when (ex.Code == ErrorCode.ServiceUnavailable)
        {
            return new CommandOutcome.NotRun(ex);
        }
        catch (FuncTraceException ex)
        {
            return new CommandOutcome.Failed(CommandErrors.From(ex));
        }
    }

    public async Task<CommandOutcome?> FollowAsync(CommandContext context, string reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var job = await store.FindAsync(reference, cancellationToken);
        if (job is null || job.Tenant != context.Tenant)
        {
            return new CommandOutcome.Failed(new CommandError(ApiError.Name(ErrorCode.NotFound), $"The batch job '{reference}' this command started is gone.", null));
        }
        if (job.Status == BatchJobStatus.Running)
        {
            return null;
        }
        var results = await store.ResultsAsync(job.Id, cancellationToken);
        var scores = results.Where(r => r.Score is not null).Select(r => (double)r.Score!.Value).ToList();
        var summary = new BatchScoreResult(job.Id, job.Status, job.Total, job.Scored, job.Failed,
            scores.Count == 0 ? null : Math.Round(scores.Average(), 2), BatchJobUrls.Status(job.Id), BatchJobUrls.Events(job.Id));
        var result = JsonSerializer.SerializeToElement(summary, JsonBody.SnakeCase);
        return job.Status == BatchJobStatus.Completed
            ? new CommandOutcome.Completed(result)
            : new CommandOutcome.Failed(new CommandError("JOB_" + job.Status.ToUpperInvariant(), job.Error ?? $"The batch job ended {job.Status}.", result));
    }

    /// <summary>The job of this command: the same every time it runs.</summary>
    private static string JobIdFor(CommandContext context)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{context.Tenant}\n{context.SessionId}\n{context.CommandId}"));
        return "job-cmd-" + Convert.ToHexString(hash)[..32].ToLowerInvariant();
    }

    private sealed record BatchScoreParameters(string? JudgingMatrix, List<BatchTest>? Tests);

    private sealed record BatchScoreResult(string JobId, string Status, int Total, int Scored, int Failed, double? AverageScore, string StatusUrl, string EventsUrl);
}
