namespace Recipes.Remote;

/// <summary>Where the shared HTTP cache is and how to talk to it.</summary>
public sealed record RemoteCacheOptions(Uri Url)
{
    public string? BearerToken { get; init; }
    public string? User { get; init; }
    public string? Password { get; init; }

    /// <summary>False for read-only consumers (pull requests from forks): hits are used, nothing is written.</summary>
    public bool Upload { get; init; } = true;

    /// <summary>Limit of one attempt of one request (a stalled server costs at most this per attempt).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a request that failed transiently (5xx, 408, 429, a connection error, a timeout).</summary>
    public int Retries { get; init; } = 2;

    /// <summary>First retry delay; later ones grow exponentially, with jitter, unless the server sends Retry-After.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest wait before one retry, whatever Retry-After asks: a build never sleeps for an hour.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Failed attempts (within <see cref="FailureWindow"/>, at least half of all) after which the remote is given up.</summary>
    public int FailuresBeforeGivingUp { get; init; } = 6;

    public TimeSpan FailureWindow { get; init; } = TimeSpan.FromMinutes(1);
    public int Concurrency { get; init; } = 4;
}
