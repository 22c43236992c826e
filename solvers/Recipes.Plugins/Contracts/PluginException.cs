namespace Recipes.Plugins;

/// <summary>A failure the user can act on; the engine prints its message without a stack trace and fails the node.</summary>
public sealed class PluginException : Exception
{
    public PluginException(string message) : base(message) { }
    public PluginException(string message, Exception inner) : base(message, inner) { }
    public PluginException() { }
}
