namespace Colabo.Config.Store;

/// <summary>Writes files only the owner can read (mode 0600), atomically: temp file, fsync, rename.</summary>
public static class PrivateFile
{
    public static void Write(string path, ReadOnlySpan<byte> content, bool overwrite = true)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temp, options))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite);
    }

    /// <summary>Writes a file anyone may read (certificates), atomically.</summary>
    public static void WritePublic(string path, string content)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}
