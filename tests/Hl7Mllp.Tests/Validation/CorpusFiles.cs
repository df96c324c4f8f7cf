using Hl7Mllp.Tests.Acks;

namespace Hl7Mllp.Tests.Validation;

/// <summary>The shared corpus, read in place; located by <see cref="AckCorpus"/> (one locator for the unit tests).</summary>
internal static class CorpusFiles
{
    public static string PathOf(string name) => Path.Combine(AckCorpus.Directory, name);

    public static IEnumerable<string> Matching(string pattern) =>
        Directory.GetFiles(AckCorpus.Directory, pattern).Order(StringComparer.Ordinal);
}
