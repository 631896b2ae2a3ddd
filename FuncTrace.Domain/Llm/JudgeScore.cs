namespace FuncTrace.Domain.Llm;

/// <summary>The judge's verdict: <see cref="Score"/> from 1 (worst) to 10 (best) and why.</summary>
public sealed record JudgeScore(int Score, string Reasoning);
