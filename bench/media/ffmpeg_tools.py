"""Running ffmpeg and ffprobe for the media benchmarks' generators."""

import subprocess
import sys


def ffmpeg(args):
    """Runs ffmpeg quietly, overwriting its output; exits with its message on failure."""
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"] + args
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"ffmpeg failed: {' '.join(cmd)}\n{r.stderr}")


def probe_duration(path):
    """The container's duration in seconds."""
    r = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                        "default=nw=1:nk=1", path], capture_output=True, text=True, check=True)
    return float(r.stdout.strip())
