using System.CommandLine;

namespace Hl7Mllp.Cli;

/// <summary>Runs the <c>hl7mllp</c> root command with the given subcommands; exit code 2 on usage errors.</summary>
public static class CliApp
{
    /// <summary>The exit code of a usage error (unknown option, missing argument, bad key, unreadable file).</summary>
    public const int UsageError = 2;

    /// <summary>Parses the arguments and runs the chosen command, writing to the given writers (tests pass their own).</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="commands">The subcommands.</param>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error, IEnumerable<Command> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var root = new RootCommand("hl7mllp: inspect, send, receive and acknowledge HL7 v2 messages over MLLP.");
        foreach (Command command in commands)
        {
            root.Subcommands.Add(command);
        }

        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError parseError in parsed.Errors)
            {
                error.WriteLine($"hl7mllp: {parseError.Message}");
            }

            error.WriteLine("Run 'hl7mllp --help' for usage.");
            return UsageError;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
