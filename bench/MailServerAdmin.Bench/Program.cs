using MailServerAdmin.Bench;

// bench/run.sh calls one command at a time; each prints its figures on standard output.
return args.Length == 0 ? Usage() : args[0] switch
{
    "seed" => await Seed.RunAsync(args[1..]),
    "default-last" => await Seed.MakeLastRowDefaultAsync(args[1..]),
    "signin" => await SignIn.RunAsync(args[1..]),
    "start-up" => await StartUp.RunAsync(args[1..]),
    "send" => SendBench.Run(args[1..]),
    "first-send" => await SendBench.FirstSendAsync(args[1..]),
    "smtp-peer" => await SendBench.ServePeerAsync(args[1..]),
    "free-port" => SmtpPeer.PrintFreePort(),
    "report" => Report.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: MailServerAdmin.Bench <command> ...
          seed <data-dir> <servers> <smtp-port>     a database of that many servers, an administrator, the default on the SMTP port
          default-last <data-dir>                   makes the last row (highest id) the default
          signin <base-url> <cert.pem>              signs in; prints the cookie header
          start-up <runs> <url> <cookie|-> <cert.pem> <workdir> <command...>
                                                    median time to the first 200, and the median VmHWM then
          send <data-dir> <smtp-port> [--quick]     BenchmarkDotNet: MailDelivery vs bare MailKit
          first-send app|bare <data-dir> <smtp-port> the first send in a fresh process
          smtp-peer <port> <seconds>                serves as the SMTP peer of first-send
          free-port                                 a free TCP port on 127.0.0.1
          report <results.tsv>                      the table
        """);
    return 2;
}
