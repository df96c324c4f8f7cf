namespace Hl7Mllp.Benchmarks;

/// <summary>Finds the shared corpus next to the repository (or at <c>HL7MLLP_CORPUS</c>).</summary>
internal static class BenchmarkCorpus
{
    public static string PathOf(string name) => Path.Combine(Directory(), name);

    /// <summary>A file of the shared tools (<c>../shared/tools</c>), e.g. the load generator's message.</summary>
    public static string ToolPathOf(string name) => Path.Combine(Directory(), "..", "tools", name);

    /// <summary>
    /// A benchmark message by name: <c>loadgen</c> (the load generator's ADT), <c>adt_v251</c> (the same made valid for
    /// v2.5.1, <c>tools/messages</c>), or a corpus file name.
    /// </summary>
    public static string MessagePathOf(string name) => name switch
    {
        "loadgen" => ToolPathOf(Path.Combine("mllp-loadgen", "adt_a01.hl7")),
        "adt_v251" => RepositoryPathOf(Path.Combine("tools", "messages", "adt_a01_v251.hl7")),
        _ => PathOf(name),
    };

    /// <summary>A file of this repository, e.g. <c>tools/messages/adt_a01_v251.hl7</c>.</summary>
    public static string RepositoryPathOf(string name) => Path.Combine(RepositoryRoot(), name);

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Hl7Mllp.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root was not found.");
    }

    private static string Directory()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "..", "shared", "corpus");
            if (File.Exists(Path.Combine(dir.FullName, "Hl7Mllp.sln")) && System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return Environment.GetEnvironmentVariable("HL7MLLP_CORPUS") ?? throw new InvalidOperationException("The shared corpus was not found; set HL7MLLP_CORPUS.");
    }
}
