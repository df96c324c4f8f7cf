using Hl7Mllp.Testing;

namespace Hl7Mllp.Tests.Testing;

public class TempDirectoryTests
{
    [Fact]
    public void Constructor_TwoInstances_CreatesDistinctEmptyFoldersUnderTemp()
    {
        using var first = new TempDirectory("unit");
        using var second = new TempDirectory("unit");

        first.Path.Should().NotBe(second.Path);
        first.Path.Should().StartWith(Path.GetTempPath()).And.Contain("hl7mllp-unit-");
        Directory.EnumerateFileSystemEntries(first.Path).Should().BeEmpty();
    }

    [Fact]
    public void Dispose_FolderWithNestedFiles_DeletesEverything()
    {
        var folder = new TempDirectory();
        Directory.CreateDirectory(folder.Combine("a", "b"));
        File.WriteAllText(folder.Combine("a", "b", "c.txt"), "x");

        folder.Dispose();

        Directory.Exists(folder.Path).Should().BeFalse();
    }

    [Fact]
    public void Dispose_Twice_DoesNotThrow()
    {
        var folder = new TempDirectory();
        folder.Dispose();

        var again = folder.Dispose;

        again.Should().NotThrow();
    }
}
