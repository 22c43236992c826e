namespace Recipes.Remote;

/// <summary>Where the shared HTTP cache is and how to talk to it.</summary>
public sealed record RemoteCacheOptions(Uri Url)
{
    public string? BearerToken { get; init; }
    public string? User { get; init; }
    public string? Password { get; init; }

    /// <summary>False for read-only consumers (pull requests from forks): hits are used, nothing is written.</summary>
    public bool Upload { get; init; } = true;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
    public int Retries { get; init; } = 2;
    public int Concurrency { get; init; } = 4;
}
