using Hl7Mllp.Cli;
using Hl7Mllp.Cli.Commands;

// Composition only: each command lives in Commands/<Name>Command.cs; add a command with one line here.
return CliApp.Run(
    args,
    Console.Out,
    Console.Error,
    [
        InspectCommand.Create(),
        AckCommand.Create(),
        SendCommand.Create(),
        ListenCommand.Create(),
        TransmitCommand.Create(),
    ]);
