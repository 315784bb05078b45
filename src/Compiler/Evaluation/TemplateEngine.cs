using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using HandlebarsDotNet;

namespace Colabo.Config.Compiler.Evaluation;

/// <summary>
/// Handlebars.Net with strict variables: an undefined binding is an error naming the template
/// and the line of the expression. Compiled templates are shared by text across compiles.
/// </summary>
internal static partial class TemplateEngine
{
    /// <summary>Output larger than this is refused (a runaway #each must not fill the master's memory).</summary>
    public const int MaxOutputChars = 4 * 1024 * 1024;

    private const int MaxCachedTemplates = 20_000;

    private static readonly IHandlebars Handlebars = HandlebarsDotNet.Handlebars.Create(new HandlebarsConfiguration
    {
        ThrowOnUnresolvedBindingExpression = true,
        NoEscape = true,
    });

    private static readonly ConcurrentDictionary<string, HandlebarsTemplate<object, object>> Cache = new(StringComparer.Ordinal);

    [GeneratedRegex(@"^\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}$")]
    internal static partial Regex SingleExpression();

    /// <summary>Renders <paramref name="text"/> found at <paramref name="at"/> (a template file or an inline string).</summary>
    public static string? Render(string text, SourceSpan at, bool wholeFile, EvalScope scope, string usedBy, List<CompileError> errors)
    {
        HandlebarsTemplate<object, object> template;
        try
        {
            if (Cache.Count > MaxCachedTemplates)
            {
                Cache.Clear(); // texts of old commits; a long-running master must not grow without bound
            }
            template = Cache.GetOrAdd(text, static t => Handlebars.Compile(t));
        }
        catch (HandlebarsException e)
        {
            errors.Add(Locate(text, at, wholeFile, null).Error("template-syntax", $"template does not compile: {e.Message}{usedBy}"));
            return null;
        }
        try
        {
            var output = template(scope.TemplateContext);
            if (output.Length > MaxOutputChars)
            {
                errors.Add(at.Error("template-too-large", $"template output is {output.Length} characters, more than the limit of {MaxOutputChars}{usedBy}"));
                return null;
            }
            return output;
        }
        catch (HandlebarsDotNet.Compiler.HandlebarsUndefinedBindingException e)
        {
            var path = FullPath(text, e.MissingKey ?? UndefinedPath(e) ?? "");
            scope.TryLookup(path.Trim(), out _, out var problem);
            var why = problem.Length > 0 ? problem : $"'{path}' is not defined";
            errors.Add(Locate(text, at, wholeFile, path).Error("template-undefined", $"undefined variable in template: {why}{usedBy}"));
            return null;
        }
        catch (HandlebarsException e)
        {
            errors.Add(at.Error("template-error", $"template failed: {e.Message}{usedBy}"));
            return null;
        }
    }

    /// <summary>Handlebars.Net's undefined-binding exception is internal; its message is "PATH is undefined".</summary>
    private static string? UndefinedPath(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            const string Suffix = " is undefined";
            if (x.Message.EndsWith(Suffix, StringComparison.Ordinal))
            {
                return x.Message[..^Suffix.Length].Trim();
            }
        }
        return null;
    }

    /// <summary>Handlebars reports only the last segment ("nmae"); find the whole "params.nmae" in the text.</summary>
    private static string FullPath(string text, string key)
    {
        foreach (Match m in ExpressionPath().Matches(text))
        {
            var candidate = m.Groups[1].Value;
            if (candidate == key || candidate.EndsWith("." + key, StringComparison.Ordinal) || candidate.Contains("." + key + ".", StringComparison.Ordinal))
            {
                return candidate;
            }
        }
        return key;
    }

    [GeneratedRegex(@"\{\{[#/^]?\s*(?:[a-z]+\s+)?(@?[A-Za-z_][\w-]*(?:\.[\w-]+)*)")]
    private static partial Regex ExpressionPath();

    /// <summary>The line and column of the first {{...}} mentioning <paramref name="path"/>.</summary>
    private static SourceSpan Locate(string text, SourceSpan at, bool wholeFile, string? path)
    {
        var index = -1;
        if (!string.IsNullOrEmpty(path))
        {
            var search = 0;
            while ((search = text.IndexOf("{{", search, StringComparison.Ordinal)) >= 0)
            {
                var end = text.IndexOf("}}", search, StringComparison.Ordinal);
                if (end < 0)
                {
                    break;
                }
                if (text.AsSpan(search, end - search).Contains(path, StringComparison.Ordinal))
                {
                    index = search;
                    break;
                }
                search = end;
            }
        }
        if (index < 0 || !wholeFile)
        {
            return wholeFile ? at with { Line = Math.Max(1, at.Line), Column = Math.Max(1, at.Column) } : at;
        }
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        return at with { Line = line, Column = index - lineStart + 1 };
    }
}
