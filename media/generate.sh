#!/usr/bin/env bash
# Regenerates the bundled sample library with ffmpeg (Debian: apt-get install -y ffmpeg).
# Every file is synthesised from ffmpeg's lavfi sources, so nothing here has an outside
# author and the output is free to use (CC0). Run with `npm run media`.
#
# The flags aim at byte-identical output across runs on the same ffmpeg build: no copied
# metadata, bitexact muxers and encoders, one encoder thread. A different ffmpeg version may
# still produce different bytes (and therefore different cids); that is expected.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

if ! command -v ffmpeg >/dev/null 2>&1; then
  echo "generate.sh: ffmpeg not found (Debian/Ubuntu: apt-get install -y ffmpeg)" >&2
  exit 1
fi

mkdir -p clips

ff() {
  ffmpeg -hide_banner -loglevel error -nostdin -y "$@"
}

# Deterministic output: drop inherited metadata, ask muxers and codecs for bitexact output.
BITEXACT=(-map_metadata -1 -fflags +bitexact -flags:a +bitexact)

# 1. MP3: 8 s A440 sine, mono CBR 96 kb/s, ID3v2.3 tags.
ff -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=8" \
  "${BITEXACT[@]}" -ac 1 -c:a libmp3lame -b:a 96k \
  -id3v2_version 3 -write_id3v1 0 \
  -metadata title="A440 tone" -metadata artist="mediaswarm" \
  -metadata album="mediaswarm samples" -metadata date="2024" -metadata genre="Test" \
  a440-tone.mp3

# 2. MP4: 10 s test pattern 320x240 at 25 fps (H.264, yuv420p) with a beeping 1 kHz tone (AAC),
#    moov atom first so it plays while downloading.
ff -f lavfi -i "testsrc=size=320x240:rate=25:duration=10" \
  -f lavfi -i "sine=frequency=1000:beep_factor=4:sample_rate=44100:duration=10" \
  "${BITEXACT[@]}" -flags:v +bitexact \
  -c:v libx264 -preset veryfast -crf 30 -pix_fmt yuv420p -threads 1 -g 50 \
  -c:a aac -b:a 64k -ac 1 \
  -movflags +faststart -shortest \
  -metadata title="Test pattern" -metadata artist="mediaswarm" \
  -metadata album="mediaswarm samples" \
  test-pattern.mp4

# 3. Opus in Ogg (in a subfolder, so recursive scanning is exercised): 6 s C major chord.
ff -f lavfi -i "aevalsrc=0.2*sin(2*PI*261.63*t)+0.2*sin(2*PI*329.63*t)+0.2*sin(2*PI*392*t):s=48000:d=6" \
  "${BITEXACT[@]}" -ac 1 -c:a libopus -b:a 48k \
  -metadata title="C major chord" -metadata artist="mediaswarm" \
  -metadata album="mediaswarm samples" \
  clips/c-major-chord.opus

# 4. FLAC (lossless), also in the subfolder: 4 s 220 Hz sine, 22.05 kHz mono 16 bit.
ff -f lavfi -i "sine=frequency=220:sample_rate=22050:duration=4" \
  "${BITEXACT[@]}" -ac 1 -sample_fmt s16 -c:a flac \
  -metadata title="A220 tone" -metadata artist="mediaswarm" \
  -metadata album="mediaswarm samples" \
  clips/a220-tone.flac

ls -l a440-tone.mp3 test-pattern.mp4 clips/c-major-chord.opus clips/a220-tone.flac
