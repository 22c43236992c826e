namespace Recipes.Remote;

/// <summary>
/// Resolves the remote cache from, in order of precedence: the command line (<c>--remote-cache</c>,
/// <c>--remote-upload</c>), the environment (<c>RECIPES_REMOTE_CACHE</c>, <c>RECIPES_REMOTE_TOKEN</c>,
/// <c>RECIPES_REMOTE_UPLOAD</c>), and a config file (<c>.recipes.json</c> in the project root, else
/// <c>$XDG_CONFIG_HOME/recipes/config.json</c> or <c>~/.config/recipes/config.json</c>):
/// <c>{"remote_cache": {"url": "...", "token": "...", "user": "...", "password": "...", "upload": true}}</c>.
/// Basic credentials may also be given in the URL (<c>http://user:pass@host/</c>).
/// </summary>
public static class RemoteCacheSettings
{
    public const string UrlVariable = "RECIPES_REMOTE_CACHE";
    public const string TokenVariable = "RECIPES_REMOTE_TOKEN";
    public const string UploadVariable = "RECIPES_REMOTE_UPLOAD";

    public static RemoteCacheOptions? Resolve(string? urlOption, bool? uploadOption, Configuration.ProjectRoot project)
    {
        var config = Configuration.UserConfig.Section("remote_cache", project, out var source);
        // Every field is typed before it is used: a number where the URL belongs refuses the file (exit 2), never a cast exception.
        string? Text(string name) => config is null ? null : Reading.JsonFields.Text(config, name, source, "remote_cache.");
        var url = urlOption ?? Environment.GetEnvironmentVariable(UrlVariable) ?? Text("url");
        if (string.IsNullOrWhiteSpace(url) || url == "none") return null;
        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new FormatException($"remote cache URL '{Escaping.TerminalText.Clean(url)}' is not an http(s) URL");
        string? user = Text("user"), password = Text("password");
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
            uri = new UriBuilder(uri) { UserName = "", Password = "" }.Uri;
        }
        var uploadText = Environment.GetEnvironmentVariable(UploadVariable);
        var upload = uploadOption
            ?? (uploadText is null ? (bool?)null : !(uploadText is "0" or "false" or "False" or "no"))
            ?? (config is null ? null : Reading.JsonFields.Bool(config, "upload", source, "remote_cache."))
            ?? true;
        return new RemoteCacheOptions(uri)
        {
            BearerToken = Environment.GetEnvironmentVariable(TokenVariable) ?? Text("token"),
            User = user,
            Password = password,
            Upload = upload,
        };
    }
}
