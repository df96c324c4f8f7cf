using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Hl7Mllp.Internal;

/// <summary>
/// An open directory whose entries (created, renamed, removed files) can be flushed to disk with <c>fsync</c>, so a
/// renamed file survives a power loss. .NET cannot open a directory as a file, so Linux uses <c>open</c>/<c>fsync</c>
/// from libc (and <c>syncfs</c> to flush the whole file system at once); elsewhere <see cref="Open"/> returns a handle whose <see cref="Flush"/> does nothing (NTFS journals
/// renames; other Unixes are not supported for the directory flush).
/// </summary>
/// <remarks>Thread-safe: <c>fsync</c> may be called from several threads on one descriptor.</remarks>
internal sealed class DirectorySync : IDisposable
{
    private const int ReadOnly = 0;        // O_RDONLY: a directory can be opened read-only without O_DIRECTORY, whose value differs per architecture.
    private const int CloseOnExec = 0x80000; // O_CLOEXEC, the same on x86-64 and arm64: child processes must not inherit the descriptor.

    private readonly DirectoryHandle? _handle;

    private DirectorySync(DirectoryHandle? handle) => _handle = handle;

    /// <summary>Gets whether <see cref="Flush"/> really reaches the disk on this platform.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>
    /// Gets whether <see cref="FlushFileSystem"/> reports write-back errors: Linux 5.8 and later. Before, <c>syncfs</c>
    /// returned success even when writing a file's data failed, so it cannot stand in for each file's <c>fsync</c>.
    /// </summary>
    public static bool SyncFileSystemReportsErrors => IsSupported && Environment.OSVersion.Version >= new Version(5, 8);

    /// <summary>Opens <paramref name="directory"/> for flushing.</summary>
    /// <exception cref="IOException">The directory cannot be opened (missing, no permission).</exception>
    public static DirectorySync Open(string directory)
    {
        if (!IsSupported)
        {
            return new DirectorySync(null);
        }

        var fd = NativeMethods.Open(directory, ReadOnly | CloseOnExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Cannot open directory '{directory}' to flush it (errno {errno}).", errno);
        }

        return new DirectorySync(new DirectoryHandle(fd));
    }

    /// <summary>Opens, flushes and closes <paramref name="directory"/> once.</summary>
    /// <exception cref="IOException">The directory cannot be opened or flushed.</exception>
    public static void FlushOnce(string directory)
    {
        using var sync = Open(directory);
        sync.Flush();
    }

    /// <summary>Makes the directory's entries durable (<c>fsync</c>); returns when the disk has them.</summary>
    /// <exception cref="IOException">The flush failed (I/O error); the last entry changes may not be durable.</exception>
    public void Flush() => Sync(fileSystem: false);

    /// <summary>
    /// Makes everything written to the directory's file system durable (<c>syncfs</c>): the data of every file written
    /// so far, whichever process wrote it. One call replaces one <c>fsync</c> per file.
    /// </summary>
    /// <exception cref="IOException">The flush failed (I/O error, or a write-back error on the file system).</exception>
    public void FlushFileSystem() => Sync(fileSystem: true);

    /// <summary>Closes the directory.</summary>
    public void Dispose() => _handle?.Dispose();

    private void Sync(bool fileSystem)
    {
        if (_handle is null)
        {
            return;
        }

        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            var fd = (int)_handle.DangerousGetHandle();
            if ((fileSystem ? NativeMethods.Syncfs(fd) : NativeMethods.Fsync(fd)) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException($"{(fileSystem ? "syncfs" : "fsync")} of a directory failed (errno {errno}).", errno);
            }
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    private sealed class DirectoryHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public DirectoryHandle(int fd)
            : base(ownsHandle: true) => SetHandle(fd);

        protected override bool ReleaseHandle() => NativeMethods.Close((int)handle) == 0;
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Fsync(int fd);

        [DllImport("libc", EntryPoint = "syncfs", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Syncfs(int fd);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Close(int fd);
    }
}
