namespace Hl7Mllp.Testing;

/// <summary>A unique, empty folder under the system temp folder, deleted recursively on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates the folder <c>{temp}/hl7mllp-{prefix}-{random}</c>.</summary>
    /// <param name="prefix">A short word naming the test or helper, kept in the folder name for diagnosis.</param>
    public TempDirectory(string prefix = "test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"hl7mllp-{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>The absolute path of the folder.</summary>
    public string Path { get; }

    /// <summary>Returns <see cref="Path"/> combined with <paramref name="parts"/> (nothing is created).</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Deletes the folder and everything in it; a folder already gone is fine.</summary>
    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
