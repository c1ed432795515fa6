"""Offline speech-to-text for a shopper's spoken question: a WAV clip read and checked, brought
to 16 kHz mono, and decoded by PocketSphinx's en-us model (shipped inside its wheel) against a
grammar of the questions the assistant answers, with our stores, categories and gift cards.

Why a grammar: measured on espeak-ng clips of 16 questions naming 10 stores, out of a
vocabulary of the demo catalog's 69 stores, a JSGF grammar of the questions recognised 10 of
15 store names; an n-gram model built from the same questions (pocketsphinx.lm.ArpaBoLM) 8 of
15, and the wheel's general English model with our names added 0 of 15 (it has no idea
"Zomato" is likely). A free loop of our words beside the grammar fell to 9 of 15 and ran 70
times slower. Filler words (breaths, "um") are then switched off inside the grammar: with
them on, they swallowed short store names; without, 12 of 15. Trimming the silence either
side, and a second pronunciation for the vowels an English reader gives a name (pronounce.py),
brought it to 14 of 15 (52 of 60 over four espeak-ng voices, en-us, en-gb and two variants).
tests/test_transcribe.py measures it again on every run. A question said some other way comes
back as the nearest one the grammar knows; the shopper sees the transcript and edits it before
sending.
"""

import array
import io
import os
import re
import threading
import wave
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from coupzii.core.money import format_inr

from ..errors import VoiceClipInvalid
from . import pronounce

RATE = 16_000
# 10 s of 48 kHz stereo is 1.9 MB; anything much larger is not a short question.
MAX_BYTES = 4 * 1024 * 1024

# --- Reading the clip --------------------------------------------------------------------------


@dataclass(frozen=True)
class Clip:
    """A checked clip: 16 kHz mono 16-bit samples and its length."""

    pcm: bytes
    seconds: Decimal

    def wav(self) -> bytes:
        """The clip as a WAV file (what is stored until it is transcribed)."""
        out = io.BytesIO()
        with wave.open(out, "wb") as writer:
            writer.setnchannels(1)
            writer.setsampwidth(2)
            writer.setframerate(RATE)
            writer.writeframes(self.pcm)
        return out.getvalue()


def _refuse(message: str) -> VoiceClipInvalid:
    return VoiceClipInvalid(message, fields={"audio": [message]})


def clip_read(data: bytes, *, max_seconds: int | None = None) -> Clip:
    """Check a WAV recording and bring it to 16 kHz mono 16-bit.

    Raises VoiceClipInvalid (`fields["audio"]`): not a WAV file, compressed, not 16-bit,
    empty, or longer than ASSISTANT_VOICE_MAX_SECONDS.
    """
    max_seconds = max_seconds or settings.ASSISTANT_VOICE_MAX_SECONDS
    if not data:
        raise _refuse(_("The recording is empty."))
    if len(data) > MAX_BYTES or not (data[:4] == b"RIFF" and data[8:12] == b"WAVE"):
        raise _refuse(_("Send a WAV recording of up to 10 seconds."))
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            channels, width, rate = (
                reader.getnchannels(),
                reader.getsampwidth(),
                reader.getframerate(),
            )
            if width != 2 or not 1 <= channels <= 2 or not 8_000 <= rate <= 96_000:
                raise _refuse(_("Send the recording as 16-bit PCM WAV, mono or stereo."))
            frames = reader.getnframes()
            if frames > max_seconds * rate:
                raise _refuse(
                    _("The recording is longer than %(seconds)s seconds.")
                    % {"seconds": max_seconds}
                )
            raw = reader.readframes(frames)
    except VoiceClipInvalid:
        raise
    except (wave.Error, EOFError, ValueError):
        # The wave module raises wave.Error for a bad header and EOFError for a cut-off one.
        raise _refuse(_("Send a WAV recording of up to 10 seconds.")) from None
    samples = array.array("h")
    samples.frombytes(raw[: len(raw) - len(raw) % (2 * channels)])
    if not samples:
        raise _refuse(_("The recording is empty."))
    if channels == 2:
        samples = _mono(samples)
    samples = resample(samples, rate)
    seconds = Decimal(len(samples)) / RATE
    return Clip(pcm=samples.tobytes(), seconds=seconds.quantize(Decimal("0.01")))


FRAME = RATE // 100  # 10 ms
# Silence kept either side of the speech (in 10 ms frames), so the first and last sounds are
# heard whole; tried in this order. Now and then no path through the grammar reaches its end
# (an empty result), and a little more or less silence gives one: measured on the test
# questions, 150 ms is the best single choice.
PAD_FRAMES = (15, 5, 30)


def speech_only(pcm: bytes, *, pad: int = PAD_FRAMES[0]) -> bytes:
    """The samples from a little before the first loud 10 ms to a little after the last.

    With filler words off in the grammar (see the module's docstring), a long silence at
    either end has to be matched to some word, and "today" or "this" appeared at the end of
    questions that never said them. Loud is a tenth of the clip's loudest frame and above
    the quietest frames' level, so a quiet room's hum is not speech.
    """
    samples = array.array("h")
    samples.frombytes(pcm)
    energies = [
        sum(abs(sample) for sample in samples[start : start + FRAME]) / FRAME
        for start in range(0, len(samples), FRAME)
    ]
    if not energies:
        return pcm
    floor = sorted(energies)[len(energies) // 10]
    threshold = max(max(energies) / 10, floor * 3, 30)
    loud = [index for index, energy in enumerate(energies) if energy >= threshold]
    if not loud:
        return b""
    first = max(loud[0] - pad, 0)
    last = min(loud[-1] + pad + 1, len(energies))
    return samples[first * FRAME : last * FRAME].tobytes()


def _mono(samples: array.array) -> array.array:
    left, right = samples[0::2], samples[1::2]
    return array.array("h", ((a + b) // 2 for a, b in zip(left, right, strict=True)))


def resample(samples: array.array, rate: int) -> array.array:
    """16-bit samples at `rate` brought to 16 kHz by linear interpolation.

    From a higher rate the samples are first averaged over the ratio (a box low-pass), so
    hiss above 8 kHz does not fold down into speech. Pure Python on purpose: audioop leaves
    the standard library in 3.13, and ten seconds resample in well under a second.
    """
    if rate == RATE:
        return samples
    if rate > RATE:
        samples = _box_average(samples, round(rate / RATE))
    count = len(samples) * RATE // rate
    step = rate / RATE
    last = len(samples) - 1
    out = array.array("h", bytes(2 * count))
    for index in range(count):
        position = index * step
        left = int(position)
        right = min(left + 1, last)
        fraction = position - left
        out[index] = int(samples[left] + (samples[right] - samples[left]) * fraction)
    return out


def _box_average(samples: array.array, width: int) -> array.array:
    if width <= 1:
        return samples
    out = array.array("h", bytes(2 * len(samples)))
    running = 0
    for index, sample in enumerate(samples):
        running += sample
        if index >= width:
            running -= samples[index - width]
        out[index] = running // min(index + 1, width)
    return out


# --- The vocabulary and the grammar ------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """Names the shopper may say, as written in the catalog: stores, categories, gift cards."""

    stores: tuple[str, ...]
    categories: tuple[str, ...] = ()
    products: tuple[str, ...] = ()


def spoken_words(name: str) -> list[str]:
    """A name as the recogniser spells it: lower case words ("Booking.com" -> booking dot com,
    "Domino's" -> domino's, "Food & Dining" -> food and dining)."""
    name = name.lower().replace("&", " and ").replace("+", " plus ")
    name = re.sub(r"(?<=\w)\.(?=\w)", " dot ", name)
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", name)


# The words around the names: what the offline engine understands (find, coupons, cashback,
# where is my, best way to buy, sell, swap, expire, gift cards, wallet, orders).
ASK = "find | show me | show | search | search for | get | any | are there any | give me"
THINGS = (
    "coupons | coupon | coupon codes | codes | code | offers | offer | deals | deal | "
    "cashback | cashback offers | gift cards | gift card | vouchers | discounts"
)
PLACE_LINK = "for | on | at | from | in"
TIME = "this week | today | this month | soon | next week | tomorrow"
# Amounts up to 99,999 in words; "two thousand five hundred" becomes ₹2,500.00 in the text.
NUMBER_RULES = """
<units> = one | two | three | four | five | six | seven | eight | nine;
<teens> = ten | eleven | twelve | thirteen | fourteen | fifteen | sixteen | seventeen
        | eighteen | nineteen;
<tens> = twenty | thirty | forty | fifty | sixty | seventy | eighty | ninety;
<below_hundred> = <units> | <teens> | <tens> [<units>];
<number> = <below_hundred> thousand [<units> hundred] [[and] <below_hundred>]
         | <units> hundred [[and] <below_hundred>]
         | <below_hundred>;
<amount> = [rupees | rs] <number> [rupees];
"""
QUESTIONS = """
public <question> = [<ask>] [the] [best] <place> <things> [<time>]
    | [<ask>] [the] [best] <things> (<link>) <place> [<time>]
    | [<ask>] [the] [best] [<things>] <place>
    | [what is the] best way to (buy | pay for | shop) [a | an | my | this] [<amount>]
      [cart | order] [(<link>) <store>]
    | best way to pay [<amount>] [(<link>) <store>]
    | (where is | show) my cashback [(<link>) <store>]
    | [my] <store> cashback
    | (which | what) of my coupons expire [<time>]
    | (which | what) coupons expire [<time>]
    | my coupons [expiring [<time>]]
    | (sell | swap | list) my [<store>] (coupon | coupons | code | voucher) [for sale]
    | [show] my (wallet | wallet balance | cashback | orders | coupons | locker)
    | what is my (wallet balance | cashback)
    | buy [a | an] [<store>] gift card [(of | for | worth) <amount>]
    | claim [the] [<store>] (code | coupon | offer | deal);
"""


def grammar(vocabulary: Vocabulary) -> str:
    """The JSGF grammar of the questions with these names."""

    def alternatives(names) -> str:
        spoken = sorted({" ".join(spoken_words(name)) for name in names} - {""})
        return " | ".join(spoken) or "<VOID>"

    places = [*vocabulary.stores, *vocabulary.categories, *vocabulary.products]
    return "\n".join(
        [
            "#JSGF V1.0;",
            "grammar coupzii;",
            f"<ask> = {ASK};",
            f"<things> = {THINGS};",
            f"<link> = {PLACE_LINK};",
            f"<time> = {TIME};",
            f"<store> = {alternatives(vocabulary.stores)};",
            f"<place> = {alternatives(places)};",
            NUMBER_RULES,
            QUESTIONS,
        ]
    )


def _grammar_words(text: str) -> set[str]:
    body = re.sub(r"<[^>]*>|#JSGF[^;]*;|grammar [^;]*;|public", " ", text)
    return set(re.findall(r"[a-z0-9']+", body))


# --- The recogniser ----------------------------------------------------------------------------


class Recogniser:
    """A PocketSphinx decoder with our grammar and pronunciations for every word in it.

    Building one loads the 4 MB dictionary and takes about a second, so one is kept per
    vocabulary (a new store builds a new one). A decoder is not thread-safe: one decode at a
    time.
    """

    def __init__(self, vocabulary: Vocabulary):
        import pocketsphinx  # imported here: web processes that never transcribe skip its load

        model = pocketsphinx.get_model_path()
        self.decoder = pocketsphinx.Decoder(
            hmm=os.path.join(model, "en-us", "en-us"),
            dict=os.path.join(model, "en-us", "cmudict-en-us.dict"),
            lm=None,
            fsgusefiller=False,
            loglevel="FATAL",
        )
        self.lock = threading.Lock()
        text = grammar(vocabulary)
        self._add_words(_grammar_words(text))
        self.decoder.add_jsgf_string("questions", text)
        self.decoder.activate_search("questions")
        self.display = _display_names(vocabulary)

    def _add_words(self, words: set[str]) -> None:
        lookup = self.decoder.lookup_word
        for word in sorted(words):
            if lookup(word):
                continue
            for index, phones in enumerate(pronounce.pronunciations(word, lookup)):
                # Alternatives are "word(2)", "word(3)"; the decoder reports them as such.
                self.decoder.add_word(word if index == 0 else f"{word}({index + 1})", phones)

    def words(self, pcm: bytes) -> list[str]:
        """The words heard in 16 kHz mono 16-bit samples (empty when nothing fits)."""
        with self.lock:
            self.decoder.start_utt()
            self.decoder.process_raw(pcm, full_utt=True)
            self.decoder.end_utt()
            hypothesis = self.decoder.hyp()
        if hypothesis is None:
            return []
        return [re.sub(r"\(\d+\)$", "", word) for word in hypothesis.hypstr.split()]

    def transcript(self, pcm: bytes) -> str:
        return written(self.words(pcm), self.display)


_recognisers: dict[Vocabulary, Recogniser] = {}
_recognisers_lock = threading.Lock()


def recogniser_for(vocabulary: Vocabulary) -> Recogniser:
    with _recognisers_lock:
        recogniser = _recognisers.get(vocabulary)
        if recogniser is None:
            # One vocabulary at a time: an old one is of no use once the catalog changed.
            _recognisers.clear()
            recogniser = _recognisers[vocabulary] = Recogniser(vocabulary)
        return recogniser


def transcribe(clip: Clip, vocabulary: Vocabulary) -> str:
    """The question heard in `clip`, written for the shopper to edit ("" when none)."""
    recogniser = recogniser_for(vocabulary)
    for pad in PAD_FRAMES:
        speech = speech_only(clip.pcm, pad=pad)
        if not speech:
            return ""
        text = recogniser.transcript(speech)
        if text:
            return text
    return ""


# --- Writing the words out ---------------------------------------------------------------------


def _display_names(vocabulary: Vocabulary) -> dict[tuple[str, ...], str]:
    names = [*vocabulary.stores, *vocabulary.categories, *vocabulary.products]
    return {tuple(spoken_words(name)): name for name in names if spoken_words(name)}


NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
MULTIPLIERS = {"hundred": 100, "thousand": 1000}


def written(words: list[str], display: dict[tuple[str, ...], str]) -> str:
    """Recognised words as a shopper would type them: names as the catalog writes them
    ("Myntra", "AJIO"), amounts in figures ("two thousand five hundred rupees" -> ₹2,500.00)."""
    out: list[str] = []
    index = 0
    longest = max((len(key) for key in display), default=0)
    while index < len(words):
        for size in range(min(longest, len(words) - index), 0, -1):
            name = display.get(tuple(words[index : index + size]))
            if name:
                out.append(name)
                index += size
                break
        else:
            index = _number_or_word(words, index, out)
    return " ".join(out)


def _number_or_word(words: list[str], index: int, out: list[str]) -> int:
    rupees = words[index] in ("rupees", "rs")
    start = index + 1 if rupees else index
    value, end = _number(words, start)
    if value is None:
        out.append(words[index])
        return index + 1
    if end < len(words) and words[end] == "rupees":
        rupees, end = True, end + 1
    out.append(format_inr(value) if rupees else str(value))
    return end


def _number(words: list[str], index: int) -> tuple[int | None, int]:
    total = current = 0
    seen = False
    while index < len(words):
        word = words[index]
        if word in NUMBER_WORDS:
            current += NUMBER_WORDS[word]
        elif word in MULTIPLIERS and seen:
            current = max(current, 1) * MULTIPLIERS[word]
            if word == "thousand":
                total, current = total + current, 0
        elif word == "and" and seen and index + 1 < len(words) and words[index + 1] in NUMBER_WORDS:
            pass
        else:
            break
        seen = True
        index += 1
    return (total + current if seen else None), index
