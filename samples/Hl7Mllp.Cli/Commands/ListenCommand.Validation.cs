using System.CommandLine;
using Hl7Mllp.Receiving;

namespace Hl7Mllp.Cli.Commands;

/// <summary>The validation options of <c>listen</c>: rules and Named Fields.</summary>
public static partial class ListenCommand
{
    private static void AddValidationOptions(Command command, out Func<ParseResult, ValidationSettings> read)
    {
        var rules = new Option<string?>("--rules") { Description = "A JSON file of receive rules (expression, error code, text)." };
        var namedFields = new Option<string?>("--named-fields") { Description = "A Named Fields definition: a JSON file, or a built-in version 2.3, 2.5.1 or 2.7." };
        var validation = new Option<string?>("--validation") { Description = "What Named Fields validation checks: a comma list of Required, Repetitions, MaxLength, DataType, Table, or All (default All)." };
        command.Options.Add(rules);
        command.Options.Add(namedFields);
        command.Options.Add(validation);
        read = result => new ValidationSettings(result.GetValue(rules), result.GetValue(namedFields), result.GetValue(validation));
    }

    private static void ApplyValidation(ReceivePipelineOptions options, ValidationSettings settings)
    {
        _ = options;
        if (settings.Rules is not null || settings.NamedFields is not null || settings.Flags is not null)
        {
            throw new ArgumentException("--rules, --named-fields and --validation need the Validation part, not merged yet.");
        }
    }

    private sealed record ValidationSettings(string? Rules, string? NamedFields, string? Flags);
}
