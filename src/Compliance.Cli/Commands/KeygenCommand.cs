using System.CommandLine;
using Compliance.Reports.Attestation;

namespace Compliance.Cli.Commands;

/// <summary>`compliance keygen`: an ECDSA P-256 key pair for signing attestations.</summary>
internal static class KeygenCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out")
        {
            Description = "Write the private key to NAME (readable by its owner only) and the public key to NAME.pub. Existing files are not overwritten.",
            HelpName = "NAME",
            Required = true,
        };
        var command = new Command("keygen", "Create an ECDSA P-256 key pair (PEM) for signing attestations; give NAME.pub to whoever verifies them.") { output };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(output)!;
            var keyId = AttestationKeys.Generate(name);
            Console.WriteLine($"private key: {name}");
            Console.WriteLine($"public key:  {AttestationKeys.PublicKeyPath(name)}");
            Console.WriteLine($"key id:      {keyId}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
