#!/bin/sh
# Regenerates SmtpPeerScript.cs from smtp_peer.py (run after editing the Python).
set -eu
cd "$(dirname "$0")"
{
  cat <<'HEAD'
// Generated from smtp_peer.py by sync-script.sh: edit the Python file, then run the script.
namespace MailServerAdmin.Tests.Infrastructure.Smtp;

/// <summary>The source of smtp_peer.py, written to a temporary folder by <see cref="SmtpTestPeer"/>.</summary>
internal static class SmtpPeerScript
{
    public const string Source = """"
HEAD
  cat smtp_peer.py
  cat <<'TAIL'
"""";
}
TAIL
} > SmtpPeerScript.cs
