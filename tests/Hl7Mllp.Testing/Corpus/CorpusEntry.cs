namespace Hl7Mllp.Testing.Corpus;

/// <summary>
/// One row of the corpus's <c>expected.tsv</c>. Values are decoded: <c>&lt;empty&gt;</c> is <c>""</c>,
/// <c>&lt;absent&gt;</c> and <c>&lt;none&gt;</c> are <see langword="null"/>, and <c>\t \r \n \xNN</c> are the
/// bytes they stand for.
/// </summary>
/// <param name="File">The file name.</param>
/// <param name="Msh9">Raw MSH-9.</param>
/// <param name="Msh10">Raw MSH-10.</param>
/// <param name="Msh11">Raw MSH-11.</param>
/// <param name="Msh12">Raw MSH-12.</param>
/// <param name="FieldSeparator">MSH-1.</param>
/// <param name="EncodingCharacters">MSH-2 as written.</param>
/// <param name="Segments">The number of non-blank lines.</param>
/// <param name="Valid">Whether the file is a valid message or batch.</param>
/// <param name="Messages">The number of MSH segments.</param>
/// <param name="Terminator">CR, LF, CRLF, none or mixed(…).</param>
/// <param name="Msh18">Raw MSH-18.</param>
/// <param name="Category">ADT, ORU, … BATCH, MALFORMED.</param>
/// <param name="Notes">Computed notes (utf8-bom, blank-lines:N, batch:…).</param>
public sealed record CorpusEntry(
    string File,
    string? Msh9,
    string? Msh10,
    string? Msh11,
    string? Msh12,
    string? FieldSeparator,
    string? EncodingCharacters,
    int Segments,
    bool Valid,
    int Messages,
    string Terminator,
    string? Msh18,
    string Category,
    string Notes)
{
    /// <summary>Gets whether the file is a batch unit or a negative test.</summary>
    public bool IsBatch => File.StartsWith("batch_", StringComparison.Ordinal);

    /// <summary>Gets whether the file is a deliberately malformed message.</summary>
    public bool IsMalformed => File.StartsWith("malformed_", StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => File;
}
