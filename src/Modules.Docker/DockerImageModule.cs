using System.Net;
using System.Text;
using Colabo.Config.Contracts.V1;
using Colabo.Config.Engine.Modules;
using Colabo.Config.Modules.Docker.Internal;

namespace Colabo.Config.Modules.Docker;

/// <summary>
/// <c>docker_image</c>: an image present (built from a packed context, imported from a tarball, or
/// pulled) or absent. A built or imported image carries a source fingerprint label, so a changed
/// context or tarball is rebuilt or re-imported; the state reports the image id it resolved to.
/// </summary>
public sealed class DockerImageModule(DockerClient docker) : IResourceModule<DockerImageState>, IResolvesChanges
{
    public string Kind => "docker_image";

    public IReadOnlyList<string> Validate(Resource desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.SpecCase != Resource.SpecOneofCase.DockerImage)
        {
            return [$"{desired.Id}: a docker_image resource needs a docker_image spec"];
        }

        var spec = desired.DockerImage;
        var errors = new List<string>();
        if (!DockerNames.IsImageReference(spec.Name))
        {
            errors.Add($"{desired.Id}: '{spec.Name}' is not an image reference (name[:tag], lower case)");
        }

        if (spec.SourceCase == DockerImageSpec.SourceOneofCase.ImportTarball && !spec.ImportTarball.StartsWith('/'))
        {
            errors.Add($"{desired.Id}: import_tarball '{spec.ImportTarball}' must be an absolute path");
        }

        if (spec.SourceCase == DockerImageSpec.SourceOneofCase.Build)
        {
            var dockerfile = ImageSource.DockerfileName(spec.Build);
            if (!spec.Build.Context.Any(f => f.Path.TrimStart('/') == dockerfile))
            {
                errors.Add($"{desired.Id}: the build context has no '{dockerfile}'");
            }

            errors.AddRange(spec.Build.Context
                .Where(f => f.Path.Split('/').Contains("..") || f.Path.Length == 0)
                .Select(f => $"{desired.Id}: build context path '{f.Path}' must be relative without '..'"));
        }

        return errors;
    }

    public async Task<DockerImageState?> ReadAsync(Resource desired, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);
        var image = await docker.InspectImageAsync(desired.DockerImage.Name, cancellationToken);
        if (image is null)
        {
            return null;
        }

        string? source = null;
        image.Config?.Labels?.TryGetValue(DockerLabels.Source, out source);
        var spec = desired.DockerImage;
        var tarball = spec.SourceCase == DockerImageSpec.SourceOneofCase.ImportTarball
            ? ImageSource.ImportFingerprint(context.Root.Resolve(spec.ImportTarball), spec.ImportTarball)
            : null;
        return new DockerImageState(image.Id, source, tarball);
    }

    public IReadOnlyList<PropertyDiff> Diff(Resource desired, DockerImageState? current)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (desired.Ensure == Ensure.Absent)
        {
            return current is null ? [] : [new PropertyDiff("ensure", "present", "absent"), new PropertyDiff("id", current.Id, null)];
        }

        if (current is null)
        {
            return [new PropertyDiff("ensure", "absent", "present")];
        }

        var wanted = DesiredSource(desired) ?? current.TarballSource;
        return wanted is not null && wanted != current.Source
            ? [new PropertyDiff("source", current.Source, wanted), new PropertyDiff("id", current.Id, null)]
            : [];
    }

    public async Task ApplyAsync(Resource desired, DockerImageState? current, IReadOnlyList<PropertyDiff> changes, ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(context);
        var spec = desired.DockerImage;
        if (desired.Ensure == Ensure.Absent)
        {
            if (current is not null)
            {
                try
                {
                    await docker.RemoveImageAsync(spec.Name, cancellationToken);
                }
                catch (DockerException exception) when (exception.StatusCode == HttpStatusCode.Conflict)
                {
                    throw new DockerException($"cannot remove image {spec.Name}: it is in use ({exception.Message}); remove its containers first", exception);
                }
            }

            return;
        }

        var (repository, tag) = ImageSource.SplitReference(spec.Name);
        var labels = new Dictionary<string, string> { [DockerLabels.Resource] = desired.Id };
        switch (spec.SourceCase)
        {
            case DockerImageSpec.SourceOneofCase.Build:
                labels[DockerLabels.Source] = DesiredSource(desired)!;
                await using (var tar = ImageSource.PackContext(spec.Build))
                {
                    var query = new StringBuilder()
                        .Append("t=").Append(Uri.EscapeDataString(spec.Name))
                        .Append("&dockerfile=").Append(Uri.EscapeDataString(ImageSource.DockerfileName(spec.Build)))
                        .Append("&rm=1&forcerm=1")
                        .Append("&labels=").Append(Uri.EscapeDataString(DockerClient.ToJson(labels)))
                        .Append("&buildargs=").Append(Uri.EscapeDataString(DockerClient.ToJson(spec.Build.BuildArgs.ToDictionary())));
                    await docker.BuildImageAsync(query.ToString(), tar, cancellationToken);
                }

                break;

            case DockerImageSpec.SourceOneofCase.ImportTarball:
                var path = context.Root.Resolve(spec.ImportTarball);
                if (!File.Exists(path))
                {
                    throw new FileNotFoundException($"cannot import image {spec.Name}: the tarball {spec.ImportTarball} does not exist", path);
                }

                labels[DockerLabels.Source] = ImageSource.ImportFingerprint(path, spec.ImportTarball)!;
                await using (var tarball = File.OpenRead(path))
                {
                    // docker import applies Dockerfile instructions passed as `changes`: that is how an imported image gets labels.
                    var query = new StringBuilder()
                        .Append("fromSrc=-&repo=").Append(Uri.EscapeDataString(repository))
                        .Append("&tag=").Append(Uri.EscapeDataString(tag));
                    foreach (var (key, value) in labels)
                    {
                        query.Append("&changes=").Append(Uri.EscapeDataString($"LABEL \"{key}\"=\"{value}\""));
                    }

                    await docker.ImportImageAsync(query.ToString(), tarball, cancellationToken);
                }

                break;

            case DockerImageSpec.SourceOneofCase.Pull:
                await docker.PullImageAsync($"fromImage={Uri.EscapeDataString(repository)}&tag={Uri.EscapeDataString(tag)}", cancellationToken);
                break;

            default:
                throw new InvalidOperationException(
                    $"image {spec.Name} is missing and {desired.Id} names no source (build, import_tarball or pull)");
        }
    }

    /// <summary>Fills the image id the apply produced into the "id" change (its after value is unknown when diffing).</summary>
    public IReadOnlyList<PropertyDiff> Resolve(IReadOnlyList<PropertyDiff> changes, object? after) =>
        after is DockerImageState state
            ? [.. changes.Select(c => c is { Property: "id", After: null } ? c with { After = state.Id } : c)]
            : changes;

    private static string? DesiredSource(Resource desired) => desired.DockerImage.SourceCase switch
    {
        DockerImageSpec.SourceOneofCase.Build => "build:" + ImageSource.BuildHash(desired.DockerImage.Build),
        _ => null,
    };
}
