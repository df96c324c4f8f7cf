using System.Globalization;
using System.Text;

namespace Hl7Mllp.Testing.Corpus;

/// <summary>Reads the corpus's <c>expected.tsv</c> (columns and conventions in the corpus README).</summary>
public static class ExpectedTsv
{
    private static readonly Lazy<IReadOnlyList<CorpusEntry>> Entries = new(() => Read(CorpusLocator.ExpectedTsvPath));

    /// <summary>Gets every row of the located corpus's <c>expected.tsv</c>.</summary>
    public static IReadOnlyList<CorpusEntry> All => Entries.Value;

    /// <summary>Gets the names of the files that hold exactly one valid message and no batch envelope.</summary>
    public static IReadOnlyList<string> SingleValidMessages => [.. All.Where(e => e.Valid && e.Messages == 1 && !e.IsBatch).Select(e => e.File)];

    /// <summary>Gets the row of one file.</summary>
    /// <param name="fileName">The file name.</param>
    /// <returns>The row.</returns>
    public static CorpusEntry Of(string fileName) => All.Single(e => e.File == fileName);

    /// <summary>Reads an <c>expected.tsv</c> file.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The rows, header excluded.</returns>
    /// <exception cref="InvalidDataException">The header lacks a column or a row has too few cells.</exception>
    public static IReadOnlyList<CorpusEntry> Read(string path)
    {
        string[] lines = File.ReadAllLines(path, Encoding.UTF8);
        string[] header = lines[0].Split('\t');
        int Column(string name) => Array.IndexOf(header, name) is int i and >= 0
            ? i
            : throw new InvalidDataException($"expected.tsv has no column '{name}'.");

        int file = Column("file"), msh9 = Column("msh9"), msh10 = Column("msh10"), msh11 = Column("msh11"), msh12 = Column("msh12");
        int fieldSep = Column("field_sep"), encChars = Column("enc_chars"), segments = Column("segments"), valid = Column("valid");
        int messages = Column("messages"), terminator = Column("terminator"), msh18 = Column("msh18"), category = Column("category");
        int notes = Column("notes");
        var entries = new List<CorpusEntry>();
        foreach (string line in lines.Skip(1).Where(l => l.Length > 0))
        {
            string[] cells = line.Split('\t');
            if (cells.Length < header.Length - 1)
            {
                throw new InvalidDataException($"expected.tsv row '{cells[0]}' has {cells.Length} cells, expected {header.Length}.");
            }

            string Cell(int i) => i < cells.Length ? cells[i] : string.Empty;
            entries.Add(new CorpusEntry(
                Cell(file),
                Decode(Cell(msh9)),
                Decode(Cell(msh10)),
                Decode(Cell(msh11)),
                Decode(Cell(msh12)),
                Decode(Cell(fieldSep)),
                Decode(Cell(encChars)),
                int.Parse(Cell(segments), CultureInfo.InvariantCulture),
                Cell(valid) == "yes",
                int.Parse(Cell(messages), CultureInfo.InvariantCulture),
                Cell(terminator),
                Decode(Cell(msh18)),
                Cell(category),
                Cell(notes)));
        }

        return entries;
    }

    /// <summary>Decodes one value cell: <c>&lt;empty&gt;</c>, <c>&lt;absent&gt;</c>, <c>&lt;none&gt;</c>, <c>\t \r \n \xNN</c>.</summary>
    /// <param name="cell">The cell text.</param>
    /// <returns>The value, or <see langword="null"/> for absent/none.</returns>
    public static string? Decode(string cell)
    {
        switch (cell)
        {
            case "<empty>":
                return string.Empty;
            case "<absent>" or "<none>":
                return null;
        }

        if (!cell.Contains('\\', StringComparison.Ordinal))
        {
            return cell;
        }

        var text = new StringBuilder(cell.Length);
        for (int i = 0; i < cell.Length; i++)
        {
            char next = i + 1 < cell.Length ? cell[i + 1] : '\0';
            if (cell[i] == '\\' && next is 't' or 'r' or 'n')
            {
                text.Append(next switch { 't' => '\t', 'r' => '\r', _ => '\n' });
                i++;
            }
            else if (cell[i] == '\\' && next == 'x' && i + 3 < cell.Length
                && byte.TryParse(cell.AsSpan(i + 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte b))
            {
                text.Append((char)b);
                i += 3;
            }
            else
            {
                text.Append(cell[i]);
            }
        }

        return text.ToString();
    }
}
