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

    [SkippableFact]
    public void TryMoveNoReplace_TargetOnAnotherFileSystem_CopiesAndDeletes()
    {
        // An archive folder on another mount: renameat2 fails with EXDEV; the move must still happen.
        Skip.IfNot(Directory.Exists("/dev/shm"), "needs a tmpfs at /dev/shm besides the temp folder's file system");
        var source = Write("a.txt", "A");
        var otherFileSystem = Path.Join("/dev/shm", "hl7mllp-moves-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(otherFileSystem);
        try
        {
            var target = Path.Join(otherFileSystem, "b.txt");

            FileMoves.TryMoveNoReplace(source, target).Should().BeTrue();
            FileMoves.TryMoveNoReplace(Write("c.txt", "C"), target).Should().BeFalse("a taken name is still never replaced");

            File.Exists(source).Should().BeFalse();
            File.ReadAllText(target).Should().Be("A");
        }
        finally
        {
            Directory.Delete(otherFileSystem, recursive: true);
        }
    }

    private string Write(string name, string text)
    {
        Directory.CreateDirectory(_dir.Path);
        var path = _dir.Combine(name);
        File.WriteAllText(path, text);
        return path;
    }
}
