using System.Collections.Frozen;

namespace Colabo.Config.Compiler.Roles;

/// <summary>Every resource kind the agent knows, with the YAML keys each accepts.</summary>
public static class ResourceKinds
{
    /// <summary>Keys every resource accepts besides its kind key.</summary>
    public static IReadOnlyList<string> CommonKeys { get; } =
        ["ensure", "requires", "notify", "audit", "when", "for_each", "timeout"];

    public static FrozenDictionary<string, IReadOnlyList<string>> Keys { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        ["package"] = ["version", "provider"],
        ["user"] = ["uid", "group", "groups", "groups_exclusive", "home", "shell", "comment", "system", "manage_home", "password_hash"],
        ["group"] = ["gid", "system"],
        ["ssh_authorized_key"] = ["user", "type", "key", "comment", "options", "exclusive"],
        ["file"] = ["content", "template", "source", "owner", "group", "mode", "replace"],
        ["directory"] = ["owner", "group", "mode", "purge"],
        ["line"] = ["path", "text", "match", "after", "before"],
        ["service"] = ["enabled"],
        ["exec"] = ["command", "creates", "unless", "onlyif", "environment", "user", "cwd", "refresh_only", "returns"],
        ["docker_image"] = ["build", "import_tarball", "pull"],
        ["docker_network"] = ["driver", "subnet", "gateway", "labels"],
        ["docker_container"] = ["image", "command", "entrypoint", "env", "ports", "mounts", "networks", "restart", "labels", "user", "memory", "cpus", "hostname", "working_dir"],
        ["kubernetes"] = ["manifest", "template", "inline", "namespace", "field_manager", "prune", "wait", "wait_timeout", "kubeconfig", "context"],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The <c>ensure</c> values each kind accepts (the first is its default).</summary>
    public static FrozenDictionary<string, IReadOnlyList<string>> EnsureValues { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        ["package"] = ["present", "absent", "latest"],
        ["service"] = ["running", "stopped"],
        ["docker_container"] = ["running", "stopped", "present", "absent"],
        ["exec"] = ["present"],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IReadOnlyList<string> EnsureFor(string kind) =>
        EnsureValues.TryGetValue(kind, out var v) ? v : ["present", "absent"];

    public static bool IsKind(string key) => Keys.ContainsKey(key);
}
