#!/usr/bin/env python3
"""Generates a realistic benchmark corpus of any size, as JSON Lines.

Mixed languages, about 5% offers, message lengths like real chats (most a
few words, a long tail of long posts). Offers and hard negatives are drawn
from the gold corpus (corpus/dev) with small variations (numbers, emoji,
spacing); the rest is everyday chatter built from per-language word lists.

    python3 bench/gen_corpus.py --size-mb 100 --out /tmp/bench.jsonl [--seed 1]
"""
import argparse
import json
import os
import random
import sys

CHATTER = {
    "en": "ok yes no thanks see you tomorrow where are you lol good morning the meeting is at "
          "call me later i am at home send the photo happy birthday my brother did you eat "
          "traffic is bad today what time work school football match tonight weather cold".split(),
    "fr": "salut ça va oui non merci à demain t'es où mdr bonjour la réunion est à appelle-moi "
          "plus tard je suis à la maison envoie la photo joyeux anniversaire mon frère tu as "
          "mangé il fait froid le match ce soir travail école".split(),
    "ar": "السلام عليكم كيف حالك الحمد لله وين انت شكرا بكرة نشوفك صباح الخير الاجتماع الساعة "
          "اتصل بي بعدين انا في البيت ابعث الصورة عيد ميلاد سعيد اخوي اكلت الجو بارد المباراة "
          "الليلة الشغل المدرسة".split(),
    "it": "ciao come stai sì no grazie a domani dove sei buongiorno la riunione è alle chiamami "
          "più tardi sono a casa manda la foto buon compleanno fratello hai mangiato fa freddo "
          "la partita stasera lavoro scuola".split(),
    "es": "hola qué tal sí no gracias hasta mañana dónde estás buenos días la reunión es a las "
          "llámame luego estoy en casa manda la foto feliz cumpleaños hermano comiste hace frío "
          "el partido esta noche trabajo escuela".split(),
    "tr": "selam nasılsın evet hayır teşekkürler yarın görüşürüz neredesin günaydın toplantı "
          "saat beni sonra ara evdeyim fotoğrafı gönder doğum günün kutlu olsun kardeşim yemek "
          "yedin mi hava soğuk maç bu akşam iş okul".split(),
    "fa": "سلام خوبی بله نه ممنون فردا می بینمت کجایی صبح بخیر جلسه ساعت بعدا زنگ بزن خونه ام "
          "عکس رو بفرست تولدت مبارک داداش غذا خوردی هوا سرده بازی امشب کار مدرسه".split(),
}
EMOJI = ["😂", "👍", "🙏", "❤️", "🔥", "😅", "✅", "🇮🇹", "🇱🇾", "🚤", ""]


def chat_length(rng):
    """Words in a chat message: log-normal, median about 8, long tail."""
    return max(1, min(400, int(rng.lognormvariate(2.1, 0.9))))


def chatter(rng):
    words = CHATTER[rng.choice(list(CHATTER))]
    text = " ".join(rng.choice(words) for _ in range(chat_length(rng)))
    if rng.random() < 0.3:
        text += " " + rng.choice(EMOJI)
    return text


def vary(rng, text):
    """A small variation of a corpus text: a number, an emoji, spacing."""
    out = []
    for ch in text:
        if ch.isdigit() and rng.random() < 0.3:
            ch = str(rng.randint(0, 9))
        out.append(ch)
    text = "".join(out)
    if rng.random() < 0.3:
        text = rng.choice(EMOJI) + " " + text
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size-mb", type=float, default=50)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--offer-rate", type=float, default=0.05)
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(__file__), "..", "corpus", "dev"))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    offers, negatives = [], []
    for name in sorted(os.listdir(args.corpus)):
        if name.endswith(".jsonl"):
            with open(os.path.join(args.corpus, name), encoding="utf-8") as f:
                for line in f:
                    rec = json.loads(line)
                    (offers if rec["labels"] else negatives).append(rec["text"])
    if not offers or not negatives:
        sys.exit("gen_corpus: no gold records in " + args.corpus)
    limit = int(args.size_mb * 1e6)
    written = n = 0
    with open(args.out, "w", encoding="utf-8") as out:
        while written < limit:
            r = rng.random()
            if r < args.offer_rate:
                text = vary(rng, rng.choice(offers))
            elif r < args.offer_rate + 0.15:
                text = vary(rng, rng.choice(negatives))
            else:
                text = chatter(rng)
            n += 1
            line = json.dumps({"id": "b%d" % n, "text": text}, ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line.encode("utf-8"))
    print("gen_corpus: %d records, %.1f MB -> %s" % (n, written / 1e6, args.out), file=sys.stderr)


if __name__ == "__main__":
    main()
