using System.Runtime.InteropServices;

namespace Hl7Mllp.Internal;

/// <summary>
/// Renames that never replace an existing file, in one system call where the platform has one: Linux
/// <c>renameat2(RENAME_NOREPLACE)</c> is atomic (no window between "the target is free" and the rename) and costs one
/// call instead of the four of <see cref="File.Move(string, string, bool)"/> (<c>lstat</c> twice, <c>lstat</c> of the
/// target, <c>rename</c>). Elsewhere, on a file system without it, or across file systems (the copy and delete of
/// <see cref="File.Move(string, string, bool)"/>), <see cref="File.Move(string, string, bool)"/>.
/// </summary>
internal static class FileMoves
{
    private const int AtCurrentDirectory = -100; // AT_FDCWD
    private const uint RenameNoReplace = 1;      // RENAME_NOREPLACE
    private const int FileExists = 17;           // EEXIST
    private const int NotFound = 2;              // ENOENT
    private const int NotPermitted = 1;          // EPERM
    private const int AccessDenied = 13;         // EACCES
    private const int Unsupported = 38;          // ENOSYS
    private const int Invalid = 22;              // EINVAL: the file system does not support the flag
    private const int CrossDevice = 18;          // EXDEV: source and target on different file systems

    private static volatile bool _native = OperatingSystem.IsLinux();

    /// <summary>Renames <paramref name="source"/> to <paramref name="target"/> unless <paramref name="target"/> exists.</summary>
    /// <returns><see langword="true"/> when renamed; <see langword="false"/> when <paramref name="target"/> is taken (nothing changed).</returns>
    /// <exception cref="FileNotFoundException"><paramref name="source"/> or the target directory does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission.</exception>
    /// <exception cref="IOException">Any other failure (an I/O error).</exception>
    public static bool TryMoveNoReplace(string source, string target)
    {
        if (_native)
        {
            int result;
            try
            {
                result = NativeMethods.Renameat2(AtCurrentDirectory, source, AtCurrentDirectory, target, RenameNoReplace);
            }
            catch (EntryPointNotFoundException)
            {
                _native = false;
                return MoveManaged(source, target);
            }

            if (result == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case FileExists:
                    return false;
                case Unsupported or Invalid:
                    _native = false;
                    return MoveManaged(source, target);
                case CrossDevice:
                    // An archive on another mount: a rename cannot cross it, File.Move copies and deletes.
                    return MoveManaged(source, target);
                case NotFound:
                    throw new FileNotFoundException($"Cannot rename: the file or the target directory does not exist (errno {errno}).", source);
                case NotPermitted or AccessDenied:
                    throw new UnauthorizedAccessException($"Cannot rename '{source}': permission denied (errno {errno}).");
                default:
                    throw new IOException($"Cannot rename '{source}' (errno {errno}).", errno);
            }
        }

        return MoveManaged(source, target);
    }

    private static bool MoveManaged(string source, string target)
    {
        try
        {
            File.Move(source, target, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(target) && File.Exists(source))
        {
            return false;
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "renameat2", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Renameat2(int oldDirectory, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, int newDirectory, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath, uint flags);
    }
}
