using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Recipes.Remote;

/// <summary>
/// How requests to the remote cache survive a flaky network, built from Microsoft.Extensions.Http.Resilience rather
/// than a hand-written loop. Outermost to innermost:
/// <list type="bullet">
/// <item>retry: <see cref="RemoteCacheOptions.Retries"/> more attempts of a transient failure (5xx, 408, 429, a
/// connection error, an attempt timeout), exponential backoff from <see cref="RemoteCacheOptions.RetryDelay"/> with
/// jitter (so many CI jobs hitting one server do not retry in lockstep), honouring <c>Retry-After</c>, never waiting
/// longer than <see cref="RemoteCacheOptions.MaxRetryDelay"/>;</item>
/// <item>circuit breaker: once at least half of the attempts within <see cref="RemoteCacheOptions.FailureWindow"/>
/// failed, and at least <see cref="RemoteCacheOptions.FailuresBeforeGivingUp"/> of them, the circuit opens and the
/// remote is given up for the rest of the build (the break outlasts any build); its callback warns once;</item>
/// <item>timeout: <see cref="RemoteCacheOptions.Timeout"/> per attempt.</item>
/// </list>
/// A 404 is an answer (a miss), never a failure. Every failed attempt the breaker counts is described to
/// <c>failed</c> before it is counted, so whoever meets the open circuit first (its callback runs after the state
/// changed, and a request on another thread can get there before it) can name what the server answered.
/// </summary>
public static class RemoteResilience
{
    public static ResiliencePipeline<HttpResponseMessage> Pipeline(RemoteCacheOptions options, Action<string> failed, Action<string> giveUp)
    {
        var retry = new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = options.Retries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryDelay,
            MaxDelay = options.MaxRetryDelay,
            ShouldRetryAfterHeader = true,
        };
        var breaker = new HttpCircuitBreakerStrategyOptions
        {
            FailureRatio = 0.5,
            MinimumThroughput = Math.Max(2, options.FailuresBeforeGivingUp),
            SamplingDuration = options.FailureWindow,
            BreakDuration = TimeSpan.FromDays(1),
            OnOpened = args =>
            {
                giveUp($"{Describe(args.Outcome)}; too many failed requests");
                return ValueTask.CompletedTask;
            },
        };
        var transient = breaker.ShouldHandle;
        breaker.ShouldHandle = async args =>
        {
            var counted = await transient(args).ConfigureAwait(false);
            if (counted) failed(Describe(args.Outcome));
            return counted;
        };
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (options.Retries > 0) builder.AddRetry(retry);
        return builder.AddCircuitBreaker(breaker).AddTimeout(options.Timeout).Build();
    }

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } e ? e.Message : outcome.Result is { } r ? $"HTTP {(int)r.StatusCode} {r.ReasonPhrase}" : "failures";
}
