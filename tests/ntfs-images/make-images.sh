#!/usr/bin/env bash
# Builds the small NTFS images the Compliance.Ntfs tests read, with Debian's ntfs-3g (mkntfs + FUSE mount),
# and their ground truth with The Sleuth Kit (fls/icat), a reader independent of ours.
# Run once as root; the gzipped images and CSVs it writes next to itself are committed.
#   tests/ntfs-images/make-images.sh            small test images (basic volume, MBR, GPT, fixed VHD)
#   tests/ntfs-images/make-images.sh many N OUT an image with N files, for tests/bench/mft-list.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
mnt="$work/mnt"
mkdir -p "$mnt"
cleanup() { cd /; if mountpoint -q "$mnt"; then umount "$mnt"; fi; rm -rf "$work"; }
trap cleanup EXIT

need() {
  local missing=()
  for tool in mkntfs:ntfs-3g fls:sleuthkit sfdisk:fdisk qemu-img:qemu-utils setfattr:attr; do
    command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
  done
  if ((${#missing[@]})); then apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; fi
}

# mkntfs on a plain file, then mount it with ntfs-3g; the Windows stream interface lets `name:stream` write an ADS.
make_volume() { # image size
  truncate -s "$2" "$1"
  mkntfs -q -F -f -L golden "$1" 2>/dev/null
  ntfs-3g -o streams_interface=windows "$1" "$mnt"
}

# Deterministic, distinct and gzip-friendly content: numbers counted up from a seed.
content() { # seed bytes
  (seq "$1" 999999999 || true) | head -c "$2" # seq ends on SIGPIPE once head has enough
}

fill_basic() {
  cd "$mnt"
  mkdir -p docs/nested/deeper 'Привет' 'données' compressed
  printf 'small resident file\n' > docs/readme.txt
  : > docs/empty.txt
  content 1 100000 > docs/nested/deeper/numbers.txt
  printf 'Привет, мир\n' > 'Привет/привет.txt'
  printf 'ünïcödé\n' > 'données/café.txt'
  printf '日本語のファイル\n' > '日本語.txt'
  # Hard links: one MFT record, three names in two directories.
  printf 'linked content\n' > docs/original.txt
  ln docs/original.txt docs/link-one.txt
  ln docs/original.txt 'Привет/link-two.txt'
  # Alternate data streams, one resident and one non-resident.
  printf 'main stream\n' > docs/with-ads.txt
  printf 'hidden zone identifier\n' > 'docs/with-ads.txt:Zone.Identifier'
  content 7 30000 > 'docs/with-ads.txt:big'
  # Sparse: 4 MiB long, two written islands, holes in between.
  content 100 8192 | dd of=sparse.bin bs=4096 count=2 seek=100 iflag=fullblock status=none
  content 1000 4096 | dd of=sparse.bin bs=4096 count=1 seek=1000 conv=notrunc iflag=fullblock status=none
  truncate -s 4M sparse.bin
  # Fragmented: append to two files in turns so their clusters interleave.
  for i in $(seq 1 12); do
    content $((i * 1000)) 8192 >> fragmented.bin
    content $((i * 1000 + 500)) 8192 >> interleaved.bin
    sync
  done
  # Many long names on one record push it past 1 KiB: an $ATTRIBUTE_LIST with extension records.
  printf 'many names\n' > docs/many-links.txt
  for i in $(seq 1 40); do ln docs/many-links.txt "docs/many-links-with-a-rather-long-name-to-fill-the-record-$i.txt"; done
  # Compressed (LZNT1) content: the directory's compressed flag makes new files in it compressed.
  setfattr -h -v 0x00000800 -n system.ntfs_attrib_be compressed
  for i in $(seq 1 2000); do echo "line $i of a very compressible file"; done > compressed/text.txt
  # A symbolic link is a reparse point; a deleted file leaves a record not in use.
  ln -s docs/readme.txt readme-link
  printf 'gone\n' > deleted.txt
  rm deleted.txt
  # Fill the volume with 64 KiB files and delete every other one: the $MFT then grows into the scattered holes,
  # so $MFT itself is fragmented. Zeros keep the gzipped image small.
  mkdir filler
  local n=0
  while head -c 65536 /dev/zero > "filler/$n" 2>/dev/null; do n=$((n + 1)); done
  for i in $(seq 0 2 "$n"); do rm -f "filler/$i"; done
  for batch in 1 2 3; do
    mkdir "batch$batch"
    for i in $(seq 1 150); do printf '%s\n' "$batch/$i" > "batch$batch/f$i.txt"; done
  done
  rm -rf filler
  # A Windows symbolic link is a reparse point (ntfs-3g's own `ln -s` writes an Interix link, plain data, above).
  : > docs/reparse-link
  setfattr -h -n system.ntfs_reparse_data -v "0x$(symlink_reparse_data 'readme.txt')" docs/reparse-link
  cd - >/dev/null
}

# REPARSE_DATA_BUFFER of a relative symbolic link: tag 0xA000000C, data length, substitute and print name
# offsets and lengths, flags 1 (relative), then both names in UTF-16LE; all little-endian hex.
symlink_reparse_data() { # target
  local name="" i bytes=$((${#1} * 2))
  for ((i = 0; i < ${#1}; i++)); do name+=$(printf '%02x00' "'${1:i:1}"); done
  le16() { printf '%02x%02x' $(($1 & 255)) $(($1 >> 8)); }
  printf '0c0000a0%s0000%s%s%s%s01000000%s%s' "$(le16 $((12 + 2 * bytes)))" "$(le16 0)" "$(le16 $bytes)" "$(le16 $bytes)" "$(le16 $bytes)" "$name" "$name"
}

# path,mft_entry,size,sha256 of every allocated non-system file and named stream, as icat reads it.
ground_truth() { # image csv
  echo 'path,mft_entry,size,sha256' > "$2"
  fls -r -p "$1" | awk -F'\t' '$1 ~ /^r\/r [0-9]/ && $2 !~ /^\$/ { split($1, a, " "); sub(":$", "", a[2]); print a[2] "\t" $2 }' |
    while IFS=$'\t' read -r addr path; do
      local size sum
      size=$(icat "$1" "$addr" | wc -c)
      sum=$(icat "$1" "$addr" | sha256sum | cut -d' ' -f1)
      printf '"%s",%s,%s,%s\n' "${path//\"/\"\"}" "${addr%%-*}" "$size" "$sum"
    done | LC_ALL=C sort >> "$2"
}

# Wraps a volume in a partitioned disk: 1 MiB of gap, the volume, 1 MiB of tail (room for the GPT backup).
make_disk() { # volume label out
  local size=$(( $(stat -c %s "$1") + 2 * 1048576 ))
  truncate -s "$size" "$3"
  local sectors=$(( $(stat -c %s "$1") / 512 ))
  if [[ $2 == gpt ]]; then
    printf 'label: gpt\nstart=2048, size=%d, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\n' "$sectors" | sfdisk -q "$3"
  else
    printf 'label: dos\nstart=2048, size=%d, type=7\n' "$sectors" | sfdisk -q "$3"
  fi
  dd if="$1" of="$3" bs=1M seek=1 conv=notrunc status=none
}

need
if [[ ${1:-} == many ]]; then
  count=$2 out=$3
  make_volume "$work/many.img" 512M
  mkdir "$mnt/d"
  # 1,000 directories of N/1000 files each: big directories are what real volumes have too.
  for dir in $(seq 1 1000); do
    mkdir "$mnt/d/$dir"
    (cd "$mnt/d/$dir" && touch $(seq -f 'file-%g.txt' 1 $((count / 1000))))
  done
  umount "$mnt"
  mv "$work/many.img" "$out"
  exit 0
fi

make_volume "$work/basic.img" 12M
fill_basic
umount "$mnt"
ground_truth "$work/basic.img" "$here/basic.sleuthkit.csv"
# The partitioned disks hold a second, smaller volume: the containers are under test there, not NTFS.
make_volume "$work/small.img" 3M
mkdir "$mnt/inside"
content 42 20000 > "$mnt/inside/partitioned.txt"
printf 'second file\n' > "$mnt/second.txt"
umount "$mnt"
ground_truth "$work/small.img" "$here/small.sleuthkit.csv"
make_disk "$work/small.img" mbr "$work/mbr.img"
make_disk "$work/small.img" gpt "$work/gpt.img"
qemu-img convert -f raw -O vpc -o subformat=fixed,force_size=on "$work/mbr.img" "$work/fixed.vhd"
for image in basic.img mbr.img gpt.img fixed.vhd; do gzip -9 -n -c "$work/$image" > "$here/$image.gz"; done
fls -r -p -l "$work/basic.img" > "$here/basic.fls"
echo "wrote $(ls "$here"/*.gz | wc -l) images to $here"
