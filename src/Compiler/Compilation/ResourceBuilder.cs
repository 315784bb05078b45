using System.Globalization;
using System.Text;
using System.Text.Json;
using Colabo.Config.Compiler.Evaluation;
using Colabo.Config.Compiler.Repository;
using Colabo.Config.Compiler.Yaml;
using Colabo.Config.Contracts.V1;
using Google.Protobuf;
using YamlDotNet.RepresentationModel;

namespace Colabo.Config.Compiler.Compilation;

/// <summary>Maps the YAML properties of one resource onto its typed spec in the catalog.</summary>
internal sealed class ResourceBuilder(RepositorySnapshot snapshot)
{
    public void Fill(Resource resource, PropertyReader p)
    {
        switch (resource.Kind)
        {
            case "package": resource.Package = Package(resource.Name, p); break;
            case "user": resource.User = User(resource.Name, p); break;
            case "group": resource.Group = Group(resource.Name, p); break;
            case "ssh_authorized_key": resource.SshAuthorizedKey = SshKey(resource.Name, p); break;
            case "file": resource.File = File(resource, p); break;
            case "directory": resource.Directory = Directory(resource.Name, p); break;
            case "line": resource.Line = Line(resource.Name, p); break;
            case "service": resource.Service = Service(resource.Name, p); break;
            case "exec": resource.Exec = Exec(resource.Name, p); break;
            case "docker_image": resource.DockerImage = DockerImage(resource.Name, p); break;
            case "docker_network": resource.DockerNetwork = DockerNetwork(resource.Name, p); break;
            case "docker_container": resource.DockerContainer = DockerContainer(resource.Name, p); break;
            case "kubernetes": resource.Kubernetes = Kubernetes(p); break;
            default: throw new InvalidOperationException($"kind {resource.Kind} has no builder");
        }
    }

    private static PackageSpec Package(string name, PropertyReader p) => new()
    {
        Name = name,
        Version = p.String("version") ?? "",
        Provider = p.String("provider") ?? "apt",
    };

    private static UserSpec User(string name, PropertyReader p)
    {
        var spec = new UserSpec
        {
            Name = name,
            Group = p.String("group") ?? "",
            GroupsExclusive = p.Bool("groups_exclusive") ?? false,
            Home = p.String("home") ?? "",
            Shell = p.String("shell") ?? "",
            Comment = p.String("comment") ?? "",
            System = p.Bool("system") ?? false,
            ManageHome = p.Bool("manage_home") ?? true,
            PasswordHash = p.String("password_hash") ?? "",
        };
        if (p.Long("uid", 0, uint.MaxValue) is { } uid)
        {
            spec.Uid = (uint)uid;
        }
        spec.Groups.AddRange(p.StringList("groups"));
        if (spec.Home.Length > 0)
        {
            CheckPath(spec.Home, p, "home");
        }
        return spec;
    }

    private static GroupSpec Group(string name, PropertyReader p)
    {
        var spec = new GroupSpec { Name = name, System = p.Bool("system") ?? false };
        if (p.Long("gid", 0, uint.MaxValue) is { } gid)
        {
            spec.Gid = (uint)gid;
        }
        return spec;
    }

    private static SshAuthorizedKeySpec SshKey(string name, PropertyReader p)
    {
        var spec = new SshAuthorizedKeySpec
        {
            User = p.String("user") ?? "",
            Type = p.String("type") ?? "",
            Key = p.String("key") ?? "",
            Comment = p.String("comment") ?? name,
            Exclusive = p.Bool("exclusive") ?? false,
        };
        spec.Options.AddRange(p.StringList("options"));
        // "ssh-ed25519 AAAA... alice@laptop" as written in authorized_keys is accepted as-is.
        var parts = spec.Key.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length >= 2 && (parts[0].StartsWith("ssh-", StringComparison.Ordinal) || parts[0].StartsWith("ecdsa-", StringComparison.Ordinal) || parts[0].StartsWith("sk-", StringComparison.Ordinal)))
        {
            spec.Type = parts[0];
            spec.Key = parts[1];
            if (parts.Length > 2 && !p.Has("comment"))
            {
                spec.Comment = string.Join(' ', parts[2..]);
            }
        }
        if (spec.User.Length == 0)
        {
            p.Errors.Add(p.BodyAt.Error("missing-key", $"{p.Subject}: 'user' is required (the account whose authorized_keys gets the key)"));
        }
        if (spec.Key.Length == 0)
        {
            p.Errors.Add(p.BodyAt.Error("missing-key", $"{p.Subject}: 'key' is required, e.g. key: \"ssh-ed25519 AAAA... alice@laptop\""));
        }
        else if (spec.Type.Length == 0)
        {
            p.Errors.Add(p.At("key").Error("missing-key", $"{p.Subject}: 'type' is required (ssh-ed25519, ssh-rsa, ...) unless 'key' starts with it"));
        }
        return spec;
    }

    private FileSpec File(Resource resource, PropertyReader p)
    {
        var spec = new FileSpec
        {
            Path = resource.Name,
            Owner = p.String("owner") ?? "",
            Group = p.String("group") ?? "",
            Mode = Mode(p, "mode"),
        };
        if (p.Bool("replace") is { } replace)
        {
            spec.Replace = replace;
        }
        var sources = new[] { "content", "template", "source" }.Where(p.Has).ToList();
        if (sources.Count > 1)
        {
            p.Errors.Add(p.At(sources[1]).Error("conflicting-keys", $"{p.Subject}: use only one of content, template and source"));
        }
        else if (sources.Count == 1 && resource.Ensure == Ensure.Absent)
        {
            p.Errors.Add(p.At(sources[0]).Error("conflicting-keys", $"{p.Subject}: an absent file takes no {sources[0]}"));
        }
        if (p.Has("content"))
        {
            spec.Content = p.String("content") ?? "";
        }
        else if (p.Has("template") && p.RepoPath("template", "templates") is { } template)
        {
            spec.Origin = template;
            var text = snapshot.ReadText(template);
            if (text is null)
            {
                p.Errors.Add(p.At("template").Error("missing-file", $"{p.Subject}: template '{template}' is not in the role repository"));
            }
            else
            {
                spec.Content = TemplateEngine.Render(text, new SourceSpan(template, 1, 1), wholeFile: true, p.Scope,
                    $" (rendering {p.Subject} declared at {p.BodyAt})", p.Errors) ?? "";
            }
        }
        else if (p.Has("source") && p.RepoPath("source", "files") is { } source)
        {
            spec.Origin = source;
            if (snapshot.Find(source) is not { } file)
            {
                p.Errors.Add(p.At("source").Error("missing-file", $"{p.Subject}: source '{source}' is not in the role repository"));
            }
            else if (IsText(file.Content.Span))
            {
                spec.Content = file.Text;
            }
            else
            {
                spec.BinaryContent = ByteString.CopyFrom(file.Content.Span);
            }
        }
        return spec;
    }

    private static bool IsText(ReadOnlySpan<byte> bytes) => !bytes.Contains((byte)0) && System.Text.Unicode.Utf8.IsValid(bytes);

    private static string Mode(PropertyReader p, string key)
    {
        var mode = p.String(key) ?? "";
        if (mode.Length == 0)
        {
            return "";
        }
        if (mode.Length is < 3 or > 4 || !mode.All(c => c is >= '0' and <= '7'))
        {
            p.Errors.Add(p.At(key).Error("bad-mode", $"{p.Subject}: mode '{mode}' must be octal like \"0644\" (quote it in YAML)"));
            return "";
        }
        return mode.PadLeft(4, '0');
    }

    private static DirectorySpec Directory(string name, PropertyReader p) => new()
    {
        Path = name,
        Owner = p.String("owner") ?? "",
        Group = p.String("group") ?? "",
        Mode = Mode(p, "mode"),
        Purge = p.Bool("purge") ?? false,
    };

    private static LineSpec Line(string name, PropertyReader p)
    {
        var spec = new LineSpec
        {
            Path = p.String("path") ?? name,
            Line = p.String("text") ?? "",
            Match = p.String("match") ?? "",
            After = p.String("after") ?? "",
            Before = p.String("before") ?? "",
        };
        CheckPath(spec.Path, p, p.Has("path") ? "path" : null);
        foreach (var key in new[] { "match", "after", "before" })
        {
            var pattern = key switch { "match" => spec.Match, "after" => spec.After, _ => spec.Before };
            if (pattern.Length > 0)
            {
                if (RegexProblem(pattern) is { } problem)
                {
                    p.Errors.Add(p.At(key).Error("bad-regex", $"{p.Subject}: '{key}' is not a valid regular expression: {problem}"));
                }
            }
        }
        if (spec.Line.Length == 0 && spec.Match.Length == 0)
        {
            p.Errors.Add(p.BodyAt.Error("missing-key", $"{p.Subject}: give 'text' (the line to have) and/or 'match' (a regex of the line to replace or remove)"));
        }
        return spec;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> RegexProblems = new(StringComparer.Ordinal);

    /// <summary>Why a pattern does not parse ("" when it does); cached because roles repeat patterns per node.</summary>
    private static string? RegexProblem(string pattern)
    {
        if (RegexProblems.Count > 20_000)
        {
            RegexProblems.Clear();
        }
        var problem = RegexProblems.GetOrAdd(pattern, static p =>
        {
            try
            {
                _ = new System.Text.RegularExpressions.Regex(p, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
                return "";
            }
            catch (ArgumentException e)
            {
                return e.Message;
            }
        });
        return problem.Length == 0 ? null : problem;
    }

    internal static void CheckPath(string path, PropertyReader p, string? key)
    {
        if (PathRules.Problem(path) is { } problem)
        {
            p.Errors.Add((key is null ? p.BodyAt : p.At(key)).Error("bad-path", $"{p.Subject}: {problem}"));
        }
    }

    private static ServiceSpec Service(string name, PropertyReader p)
    {
        var spec = new ServiceSpec { Name = name };
        if (p.Bool("enabled") is { } enabled)
        {
            spec.Enabled = enabled;
        }
        return spec;
    }

    private static ExecSpec Exec(string name, PropertyReader p)
    {
        var spec = new ExecSpec
        {
            Command = p.String("command") ?? name,
            Creates = p.String("creates") ?? "",
            Unless = p.String("unless") ?? "",
            Onlyif = p.String("onlyif") ?? "",
            User = p.String("user") ?? "",
            Cwd = p.String("cwd") ?? "",
            RefreshOnly = p.Bool("refresh_only") ?? false,
        };
        foreach (var (k, v) in p.StringMap("environment"))
        {
            spec.Environment.Add(k, v);
        }
        foreach (var code in p.StringList("returns"))
        {
            if (int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c <= 255)
            {
                spec.Returns.Add(c);
            }
            else
            {
                p.Errors.Add(p.At("returns").Error("wrong-type", $"{p.Subject}: exit code '{code}' must be a number from 0 to 255"));
            }
        }
        if (spec.Creates.Length > 0)
        {
            CheckPath(spec.Creates, p, "creates");
        }
        if (spec.Cwd.Length > 0)
        {
            CheckPath(spec.Cwd, p, "cwd");
        }
        return spec;
    }

    private DockerImageSpec DockerImage(string name, PropertyReader p)
    {
        var spec = new DockerImageSpec { Name = name };
        var sources = new[] { "build", "import_tarball", "pull" }.Where(p.Has).ToList();
        if (sources.Count > 1)
        {
            p.Errors.Add(p.At(sources[1]).Error("conflicting-keys", $"{p.Subject}: use only one of build, import_tarball and pull"));
        }
        if (p.Has("import_tarball"))
        {
            spec.ImportTarball = p.String("import_tarball") ?? "";
            CheckPath(spec.ImportTarball, p, "import_tarball");
        }
        else if (p.Has("pull"))
        {
            spec.Pull = p.Bool("pull") ?? false;
        }
        else if (p.Node("build") is { } build)
        {
            spec.Build = Build(build, p);
        }
        return spec;
    }

    private DockerBuild Build(YamlNode node, PropertyReader p)
    {
        // build: docker/app   or   build: {context: docker/app, dockerfile: Dockerfile, args: {...}}
        var body = node as YamlMappingNode ?? new YamlMappingNode(new YamlScalarNode("context"), node);
        var inner = new PropertyReader(body, p.File, p.Scope, new SecretResolver(null), p.Errors, p.Subject + " build");
        foreach (var (k, _) in body.Children)
        {
            if (k is YamlScalarNode ks && ks.Value is not ("context" or "dockerfile" or "args"))
            {
                YamlShape.UnknownKey(ks, p.File, "build", ["context", "dockerfile", "args"], p.Errors);
            }
        }
        var build = new DockerBuild { Dockerfile = inner.String("dockerfile") ?? "Dockerfile" };
        foreach (var (k, v) in inner.StringMap("args"))
        {
            build.BuildArgs.Add(k, v);
        }
        var context = inner.RepoPath("context", "docker");
        if (context is null)
        {
            if (!inner.Has("context"))
            {
                p.Errors.Add(node.At(p.File).Error("missing-key", $"{p.Subject}: build needs 'context', a directory of the role repository"));
            }
            return build;
        }
        build.Origin = context;
        foreach (var file in snapshot.Under(context))
        {
            build.Context.Add(new ContextFile
            {
                Path = file.Path[(context.Length + 1)..],
                Content = ByteString.CopyFrom(file.Content.Span),
                Mode = file.Mode,
            });
        }
        if (build.Context.Count == 0)
        {
            p.Errors.Add(inner.At("context").Error("missing-file", $"{p.Subject}: build context '{context}' is empty or not in the role repository"));
        }
        else if (!build.Context.Any(f => f.Path == build.Dockerfile))
        {
            p.Errors.Add(inner.At(inner.Has("dockerfile") ? "dockerfile" : "context").Error("missing-file",
                $"{p.Subject}: '{context}/{build.Dockerfile}' does not exist"));
        }
        return build;
    }

    private static DockerNetworkSpec DockerNetwork(string name, PropertyReader p)
    {
        var spec = new DockerNetworkSpec
        {
            Name = name,
            Driver = p.String("driver") ?? "bridge",
            Subnet = p.String("subnet") ?? "",
            Gateway = p.String("gateway") ?? "",
        };
        foreach (var (k, v) in p.StringMap("labels"))
        {
            spec.Labels.Add(k, v);
        }
        return spec;
    }

    private static DockerContainerSpec DockerContainer(string name, PropertyReader p)
    {
        var spec = new DockerContainerSpec
        {
            Name = name,
            Image = p.String("image") ?? "",
            RestartPolicy = p.String("restart") ?? "",
            User = p.String("user") ?? "",
            Hostname = p.String("hostname") ?? "",
            WorkingDir = p.String("working_dir") ?? "",
        };
        if (spec.Image.Length == 0)
        {
            p.Errors.Add(p.BodyAt.Error("missing-key", $"{p.Subject}: 'image' is required"));
        }
        spec.Command.AddRange(p.StringList("command"));
        spec.Entrypoint.AddRange(p.StringList("entrypoint"));
        spec.Networks.AddRange(p.StringList("networks"));
        foreach (var (k, v) in p.StringMap("env"))
        {
            spec.Env.Add(k, v);
        }
        foreach (var (k, v) in p.StringMap("labels"))
        {
            spec.Labels.Add(k, v);
        }
        foreach (var port in p.StringList("ports"))
        {
            if (ParsePort(port) is { } binding)
            {
                spec.Ports.Add(binding);
            }
            else
            {
                p.Errors.Add(p.At("ports").Error("bad-port", $"{p.Subject}: port '{port}' must look like \"8080:80\", \"127.0.0.1:8080:80\" or \"53:53/udp\""));
            }
        }
        foreach (var mount in p.StringList("mounts"))
        {
            var parts = mount.Split(':');
            if (parts.Length is < 2 or > 3 || parts[1].Length == 0 || !parts[1].StartsWith('/') || (parts.Length == 3 && parts[2] is not ("ro" or "rw")))
            {
                p.Errors.Add(p.At("mounts").Error("bad-mount", $"{p.Subject}: mount '{mount}' must look like \"/host/path:/container/path[:ro]\" or \"volume:/container/path\""));
                continue;
            }
            spec.Mounts.Add(new Mount
            {
                Type = parts[0].StartsWith('/') ? "bind" : "volume",
                Source = parts[0],
                Target = parts[1],
                ReadOnly = parts.Length == 3 && parts[2] == "ro",
            });
        }
        if (p.Has("memory"))
        {
            var memory = p.String("memory") ?? "";
            if (ParseBytes(memory) is { } bytes)
            {
                spec.MemoryBytes = bytes;
            }
            else
            {
                p.Errors.Add(p.At("memory").Error("wrong-type", $"{p.Subject}: memory '{memory}' must be bytes or a size like 512m or 2g"));
            }
        }
        if (p.Double("cpus") is { } cpus)
        {
            spec.Cpus = cpus;
        }
        return spec;
    }

    private static PortBinding? ParsePort(string text)
    {
        var protocol = "tcp";
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            protocol = text[(slash + 1)..];
            text = text[..slash];
        }
        if (protocol is not ("tcp" or "udp"))
        {
            return null;
        }
        var parts = text.Split(':');
        var numbers = parts.Skip(parts.Length == 3 ? 1 : 0).Select(x => uint.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and < 65536 ? n : 0).ToArray();
        if (numbers.Length is < 1 or > 2 || numbers.Any(n => n == 0))
        {
            return null;
        }
        return new PortBinding
        {
            HostIp = parts.Length == 3 ? parts[0] : "",
            HostPort = numbers.Length == 2 ? numbers[0] : 0,
            ContainerPort = numbers[^1],
            Protocol = protocol,
        };
    }

    private static long? ParseBytes(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }
        var unit = char.ToLowerInvariant(text[^1]);
        var factor = unit switch { 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, _ => 1L };
        var digits = factor == 1 ? text : text[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n * factor : null;
    }

    private KubernetesSpec Kubernetes(PropertyReader p)
    {
        var spec = new KubernetesSpec
        {
            Namespace = p.String("namespace") ?? "",
            FieldManager = p.String("field_manager") ?? "colabo",
            Prune = p.Bool("prune") ?? false,
            Wait = p.Bool("wait") ?? false,
            WaitTimeoutSeconds = (uint)(p.Long("wait_timeout", 0, 86_400) ?? 0),
            Kubeconfig = p.String("kubeconfig") ?? "",
            Context = p.String("context") ?? "",
        };
        var sources = new[] { "manifest", "template", "inline" }.Where(p.Has).ToList();
        if (sources.Count != 1)
        {
            p.Errors.Add((sources.Count > 1 ? p.At(sources[1]) : p.BodyAt).Error(sources.Count > 1 ? "conflicting-keys" : "missing-key",
                $"{p.Subject}: give exactly one of manifest (files under manifests/), template (a Handlebars manifest) or inline (YAML objects)"));
            return spec;
        }
        if (p.Has("inline"))
        {
            var node = p.Node("inline")!;
            if (node is YamlScalarNode s)
            {
                AddObjects(p, s.Value ?? "", new SourceSpan(p.File, (int)s.Start.Line, (int)s.Start.Column), spec);
            }
            else
            {
                foreach (var obj in node is YamlSequenceNode seq ? seq.Children : [node])
                {
                    AddObject(p, RenderYaml(obj, p), obj.At(p.File), spec);
                }
            }
            spec.Origin = $"{p.File}:{node.Start.Line}";
            return spec;
        }
        var key = sources[0];
        foreach (var path in p.StringList(key))
        {
            if (path.StartsWith('/') || path.Split('/').Any(x => x is ".." or "." or ""))
            {
                p.Errors.Add(p.At(key).Error("bad-path", $"{p.Subject}: '{path}' must be a path inside the role repository, e.g. manifests/app.yaml"));
                continue;
            }
            var files = snapshot.Contains(path) ? [snapshot.Find(path)!] : snapshot.Under(path).Where(f => f.Path.EndsWith(".yaml", StringComparison.Ordinal) || f.Path.EndsWith(".yml", StringComparison.Ordinal) || f.Path.EndsWith(".hbs", StringComparison.Ordinal)).ToList();
            if (files.Count == 0)
            {
                p.Errors.Add(p.At(key).Error("missing-file", $"{p.Subject}: '{path}' is not a file or directory of the role repository"));
            }
            foreach (var file in files)
            {
                var text = key == "template"
                    ? TemplateEngine.Render(file.Text, new SourceSpan(file.Path, 1, 1), wholeFile: true, p.Scope, $" (rendering {p.Subject} declared at {p.BodyAt})", p.Errors)
                    : file.Text;
                if (text is not null)
                {
                    AddObjects(p, text, new SourceSpan(file.Path, 0, 0), spec);
                }
            }
        }
        spec.Origin = string.Join(", ", p.StringList(key));
        return spec;
    }

    private static YamlNode RenderYaml(YamlNode node, PropertyReader p) => node switch
    {
        YamlScalarNode s when s.Value?.Contains("{{", StringComparison.Ordinal) == true =>
            new YamlScalarNode(EvalScope.Text(p.Value(s, "inline"))) { Style = s.Style },
        YamlMappingNode m => new YamlMappingNode(m.Children.Select(kv => new KeyValuePair<YamlNode, YamlNode>(kv.Key, RenderYaml(kv.Value, p)))),
        YamlSequenceNode q => new YamlSequenceNode(q.Children.Select(c => RenderYaml(c, p))),
        _ => node,
    };

    private static void AddObjects(PropertyReader p, string yaml, SourceSpan origin, KubernetesSpec spec)
    {
        var errors = new List<CompileError>();
        var docs = YamlLoader.Load(origin.File, yaml, errors);
        foreach (var e in errors)
        {
            // Inline YAML strings: shift to the position in the role file.
            p.Errors.Add(origin.Line > 0 ? e with { File = p.File, Line = origin.Line + e.Line, Column = e.Column } : e);
        }
        foreach (var doc in docs)
        {
            if (doc is YamlScalarNode { Value: null or "" })
            {
                continue;
            }
            AddObject(p, doc, doc.At(origin.File), spec);
        }
    }

    private static void AddObject(PropertyReader p, YamlNode obj, SourceSpan at, KubernetesSpec spec)
    {
        if (obj is not YamlMappingNode m || m.Get("apiVersion") is null || m.Get("kind") is null)
        {
            p.Errors.Add(at.Error("bad-manifest", $"{p.Subject}: a Kubernetes object is a mapping with apiVersion, kind and metadata.name"));
            return;
        }
        spec.Objects.Add(YamlLoader.ToJson(obj));
    }
}
