namespace Hl7Mllp.Tests.Validation;

/// <summary>A uniquely named file in the temp folder, deleted on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    private TempFile(string path) => Path = path;

    public string Path { get; }

    /// <summary>A path that does not exist.</summary>
    public static string MissingPath() => System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"hl7mllp-missing-{Guid.NewGuid():N}.json");

    public static TempFile Write(string content)
    {
        var file = new TempFile(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"hl7mllp-{Guid.NewGuid():N}.json"));
        File.WriteAllText(file.Path, content);
        return file;
    }

    public void Dispose() => File.Delete(Path);
}
