using System.CommandLine;
using Hl7Mllp.Receiving;
using Hl7Mllp.Validation;

namespace Hl7Mllp.Cli.Commands;

/// <summary>The validation options of <c>listen</c>: rules and Named Fields.</summary>
public static partial class ListenCommand
{
    private static void AddValidationOptions(Command command, out Func<ParseResult, ValidationSettings> read)
    {
        var rules = new Option<string?>("--rules") { Description = "A JSON file of receive rules (expression, error code, text)." };
        var namedFields = new Option<string?>("--named-fields") { Description = "A Named Fields definition: a JSON file, or a built-in version 2.3, 2.5.1 or 2.7." };
        var validation = new Option<string?>("--validation") { Description = "What Named Fields validation checks: a comma list of RequiredFields, Repetitions, MaxLength, DataType, TableValues, or All (default All)." };
        command.Options.Add(rules);
        command.Options.Add(namedFields);
        command.Options.Add(validation);
        read = result => new ValidationSettings(result.GetValue(rules), result.GetValue(namedFields), result.GetValue(validation));
    }

    private static void ApplyValidation(ReceivePipelineOptions options, ValidationSettings settings)
    {
        if (settings.Rules is not null)
        {
            options.Rules = Hl7RuleSet.LoadFile(settings.Rules);
        }

        if (settings.NamedFields is not null)
        {
            string version = settings.NamedFields.TrimStart('v', 'V');
            options.NamedFields = NamedFieldsDefinition.BuiltInVersions.Contains(version)
                ? NamedFieldsDefinition.BuiltIn(version)
                : NamedFieldsDefinition.LoadFile(settings.NamedFields);
        }

        if (settings.Flags is not null)
        {
            options.ValidationFlags = Enum.Parse<ValidationFlags>(settings.Flags, ignoreCase: true);
        }
    }

    private sealed record ValidationSettings(string? Rules, string? NamedFields, string? Flags);
}
