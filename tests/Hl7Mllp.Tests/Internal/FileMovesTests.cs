using Hl7Mllp.Internal;
using Hl7Mllp.Testing;

namespace Hl7Mllp.Tests.Internal;

public sealed class FileMovesTests : IDisposable
{
    private readonly TempDirectory _dir = new("moves");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TryMoveNoReplace_TargetFree_MovesTheFile()
    {
        var source = Write("a.txt", "A");
        var target = _dir.Combine("b.txt");

        FileMoves.TryMoveNoReplace(source, target).Should().BeTrue();

        File.Exists(source).Should().BeFalse();
        File.ReadAllText(target).Should().Be("A");
    }

    [Fact]
    public void TryMoveNoReplace_TargetTaken_ReturnsFalseAndChangesNothing()
    {
        var source = Write("a.txt", "A");
        var target = Write("b.txt", "B");

        FileMoves.TryMoveNoReplace(source, target).Should().BeFalse();

        File.ReadAllText(source).Should().Be("A");
        File.ReadAllText(target).Should().Be("B", "an existing file is never replaced");
    }

    [Fact]
    public void TryMoveNoReplace_SourceMissing_ThrowsFileNotFound()
    {
        var act = () => FileMoves.TryMoveNoReplace(_dir.Combine("missing.txt"), _dir.Combine("b.txt"));

        act.Should().Throw<FileNotFoundException>();
    }

    [Fact]
    public void TryMoveNoReplace_TargetDirectoryMissing_ThrowsAnIOException()
    {
        var source = Write("a.txt", "A");

        var act = () => FileMoves.TryMoveNoReplace(source, _dir.Combine("no-such-dir", "b.txt"));

        act.Should().Throw<IOException>();
        File.Exists(source).Should().BeTrue();
    }

    private string Write(string name, string text)
    {
        Directory.CreateDirectory(_dir.Path);
        var path = _dir.Combine(name);
        File.WriteAllText(path, text);
        return path;
    }
}
