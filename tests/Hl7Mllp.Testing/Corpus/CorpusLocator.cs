namespace Hl7Mllp.Testing.Corpus;

/// <summary>
/// Finds the shared HL7 corpus in place (it is never copied): the folder named by <c>HL7MLLP_CORPUS</c> when set,
/// else the first <c>shared/corpus</c> found walking up from the test binaries, which covers a clone with
/// <c>shared/</c> beside it as well as worktrees below the folder that holds <c>shared/</c>.
/// </summary>
public static class CorpusLocator
{
    /// <summary>The environment variable that names the corpus folder explicitly.</summary>
    public const string EnvironmentVariable = "HL7MLLP_CORPUS";

    private static readonly Lazy<string> Located = new(Locate);

    /// <summary>Gets the corpus folder.</summary>
    /// <exception cref="DirectoryNotFoundException">No corpus was found.</exception>
    public static string Directory => Located.Value;

    /// <summary>Gets the path of <c>expected.tsv</c>.</summary>
    public static string ExpectedTsvPath => Path.Combine(Directory, "expected.tsv");

    /// <summary>Gets the full path of a corpus file.</summary>
    /// <param name="fileName">The file name, e.g. <c>adt_a01_v23_pyhl7_01.hl7</c>.</param>
    /// <returns>The path.</returns>
    public static string PathOf(string fileName) => Path.Combine(Directory, fileName);

    /// <summary>Reads a corpus file as bytes, exactly as stored.</summary>
    /// <param name="fileName">The file name.</param>
    /// <returns>The bytes.</returns>
    public static byte[] ReadBytes(string fileName) => File.ReadAllBytes(PathOf(fileName));

    /// <summary>Gets the names of every <c>.hl7</c> file of the corpus, sorted.</summary>
    /// <returns>The file names.</returns>
    public static IReadOnlyList<string> MessageFiles() =>
        System.IO.Directory.GetFiles(Directory, "*.hl7").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    private static string Locate()
    {
        string? configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return System.IO.Directory.Exists(configured)
                ? Path.GetFullPath(configured)
                : throw new DirectoryNotFoundException($"{EnvironmentVariable} names '{configured}', which does not exist.");
        }

        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "corpus");
            if (File.Exists(Path.Combine(candidate, "expected.tsv")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"The HL7 corpus was not found: set {EnvironmentVariable}, or put shared/corpus beside the repository.");
    }
}
