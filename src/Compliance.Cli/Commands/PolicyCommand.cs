using System.CommandLine;
using System.Text.Json;
using Compliance.Core;
using Compliance.Core.Model;
using Compliance.Core.Policies;

namespace Compliance.Cli.Commands;

/// <summary>`compliance policy`: check, explain and import policy files.</summary>
internal static class PolicyCommand
{
    public static Command Create()
    {
        var command = new Command("policy", "Check, show and import policies (which paths each category covers and which attributes it compares).");
        command.Subcommands.Add(Lint());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(ImportOsquery());
        return command;
    }

    private static Argument<string> PolicyFile() => new("FILE") { Description = "The policy YAML file." };

    private static Command Lint()
    {
        var file = PolicyFile();
        var command = new Command("lint", "Report every problem in a policy as FILE:line:column: message. Exit 0 when there is none, 2 otherwise.") { file };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            var problems = PolicyLoader.Lint(PolicyLoader.ReadFile(path), path);
            foreach (var problem in problems)
                Console.Out.WriteLine(problem);
            if (problems.Count > 0)
                return ExitCodes.Usage;
            Console.Out.WriteLine($"{path}: ok");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show()
    {
        var file = PolicyFile();
        var json = CommonOptions.Json();
        var command = new Command("show", "Show the policy as the scanner sees it: categories with resolved attributes, patterns and the directories a scan walks.")
        {
            file, json,
        };
        command.SetAction(parse =>
        {
            var policy = PolicyLoader.Load(parse.GetValue(file)!);
            if (parse.GetValue(json))
                WriteJson(policy);
            else
                WriteText(policy);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void WriteText(Policy policy)
    {
        var o = Console.Out;
        o.WriteLine($"policy:      {policy.Name}");
        if (policy.Description is not null)
            o.WriteLine($"description: {policy.Description}");
        o.WriteLine($"digest:      sha256:{policy.Digest}");
        o.WriteLine($"rehash:      {(policy.RehashAlways ? "every file on every check" : "only files whose size, times, inode or device changed")}");
        o.WriteLine($"walk roots:  {string.Join(" ", policy.WalkRoots().Select(DisplayRoot))}");
        foreach (var category in policy.Categories)
        {
            o.WriteLine();
            o.WriteLine($"category {category.Name} (severity {category.Severity.ToName()})");
            if (category.Description is not null)
                o.WriteLine($"  description:   {category.Description}");
            if (category.Controls.Count > 0)
                o.WriteLine($"  controls:      {string.Join("; ", category.Controls)}");
            o.WriteLine($"  attributes:    {category.Attributes}");
            foreach (var pattern in category.Include)
                o.WriteLine($"  include:       {pattern.Text}  (walk from {DisplayRoot(pattern.Root)})");
            foreach (var pattern in category.Exclude)
                o.WriteLine($"  exclude:       {pattern.Text}");
            o.WriteLine($"  report access: {(category.ReportAccess ? "yes" : "no")}");
        }
    }

    // Roots are paths, and a pattern's \xHH escapes make them hold escaped bytes: shown the way findings show paths.
    private static string DisplayRoot(string root) => root.Length == 0 ? "the top of the tree" : EntryPath.ToDisplay(root);

    private static void WriteJson(Policy policy)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("name", policy.Name);
            w.WriteString("description", policy.Description);
            w.WriteString("digest", policy.Digest);
            w.WriteBoolean("rehash", policy.RehashAlways);
            WriteStrings(w, "walk_roots", policy.WalkRoots().Select(EntryPath.ToDisplay));
            w.WriteStartArray("categories");
            foreach (var category in policy.Categories)
            {
                w.WriteStartObject();
                w.WriteString("name", category.Name);
                w.WriteString("description", category.Description);
                w.WriteString("severity", category.Severity.ToName());
                WriteStrings(w, "controls", category.Controls);
                WriteStrings(w, "attributes", category.Attributes.Attributes.Select(a => a.Name));
                w.WriteStartArray("include");
                foreach (var pattern in category.Include)
                {
                    w.WriteStartObject();
                    w.WriteString("pattern", pattern.Text);
                    w.WriteString("root", EntryPath.ToDisplay(pattern.Root));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                WriteStrings(w, "exclude", category.Exclude.Select(p => p.Text));
                w.WriteBoolean("report_access", category.ReportAccess);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        stdout.WriteByte((byte)'\n');
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
            w.WriteStringValue(value);
        w.WriteEndArray();
    }

    private static Command ImportOsquery()
    {
        var file = new Argument<string>("FILE") { Description = "The osquery configuration (JSON; // comments and trailing commas allowed)." };
        var output = new Option<string?>("--out") { Description = "Write the policy to this file (which must not exist yet) instead of stdout.", HelpName = "FILE" };
        var name = new Option<string?>("--name") { Description = "The policy name. Default: the configuration's file name without extension.", HelpName = "NAME" };
        var command = new Command("import-osquery",
            "Convert osquery's file_paths, exclude_paths and file_accesses into a policy: one category per file_paths category, patterns kept as written.")
        {
            file, output, name,
        };
        command.SetAction(parse =>
        {
            string source = parse.GetValue(file)!;
            string policyName = parse.GetValue(name) ?? Path.GetFileNameWithoutExtension(source);
            var import = OsqueryImporter.Convert(PolicyLoader.ReadFile(source), source, policyName);
            foreach (var note in import.Notes)
                Console.Error.WriteLine($"compliance: note: {note}");
            if (parse.GetValue(output) is { } target)
            {
                try
                {
                    using var writer = new StreamWriter(new FileStream(target, FileMode.CreateNew, FileAccess.Write));
                    writer.Write(import.Yaml);
                }
                catch (IOException e) when (File.Exists(target))
                {
                    throw new ComplianceException($"'{target}' already exists; remove it or choose another --out", FailureKind.Usage, e);
                }
            }
            else
            {
                Console.Out.Write(import.Yaml);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
