using System.Globalization;
using System.Text;
using Hl7Mllp.Internal;

namespace Hl7Mllp.Storage;

/// <summary>
/// What a <see cref="FileMessageSource"/> must remember across restarts: per file, the failed attempts so far and, for a
/// split batch file, how many of its messages were accepted. Kept in one small text file (<c>attempts accepted name</c>
/// per line), replaced atomically on every change (temporary file, flush to disk, rename, directory flush).
/// </summary>
/// <remarks>Not thread-safe: the source serializes access.</remarks>
internal sealed class FileSourceState
{
    private const string Header = "hl7mllp-source-state 1";
    private readonly Dictionary<string, (int Attempts, int Accepted)> _files = new(StringComparer.Ordinal);
    private readonly string _path;
    private readonly string _tempPath;

    public FileSourceState(string directory, string pattern)
    {
        // One state file per input pattern, so two sources polling one directory with different wildcards never share one.
        var fileName = FileStorageNames.ReservedPrefix + "source-" + pattern.Replace('*', '_').Replace('?', '_') + ".state";
        _path = Path.Join(directory, fileName);
        _tempPath = Path.Join(directory, FileStorageNames.TempName(fileName));
    }

    /// <summary>Gets the state file's path.</summary>
    public string FilePath => _path;

    /// <summary>Loads the state file; a missing file is an empty state. Lines that do not parse are ignored.</summary>
    /// <exception cref="IOException">The file exists but cannot be read.</exception>
    public void Load()
    {
        _files.Clear();
        if (!File.Exists(_path))
        {
            return;
        }

        foreach (var line in File.ReadLines(_path, Encoding.UTF8))
        {
            var parts = line.Split(' ', 3);
            if (parts.Length == 3
                && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var attempts)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var accepted)
                && parts[2].Length > 0)
            {
                _files[parts[2]] = (attempts, accepted);
            }
        }
    }

    public (int Attempts, int Accepted) Get(string fileName) => _files.GetValueOrDefault(fileName);

    /// <summary>Sets a file's entry (removes it when both counts are 0) and saves; returns whether anything changed.</summary>
    /// <exception cref="IOException">The state could not be saved; the change is kept in memory.</exception>
    public void Set(string fileName, int attempts, int accepted)
    {
        if (attempts == 0 && accepted == 0)
        {
            if (!_files.Remove(fileName))
            {
                return;
            }
        }
        else
        {
            _files[fileName] = (attempts, accepted);
        }

        Save();
    }

    private void Save()
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var (name, (attempts, accepted)) in _files)
        {
            text.Append(CultureInfo.InvariantCulture, $"{attempts} {accepted} {name}\n");
        }

        DurableFile.Replace(_path, _tempPath, Encoding.UTF8.GetBytes(text.ToString()));
    }
}
