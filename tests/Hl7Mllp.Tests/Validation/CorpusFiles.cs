namespace Hl7Mllp.Tests.Validation;

/// <summary>Finds the shared corpus by walking up from the test binaries to a folder holding <c>shared/corpus</c>.</summary>
internal static class CorpusFiles
{
    public static string Directory { get; } = Find();

    public static string PathOf(string name) => Path.Combine(Directory, name);

    public static IEnumerable<string> Matching(string pattern) =>
        System.IO.Directory.GetFiles(Directory, pattern).Order(StringComparer.Ordinal);

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "shared", "corpus");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("No shared/corpus folder above " + AppContext.BaseDirectory);
    }
}
