#include <string.h>

#include "lib/suggest.h"

#define MAXLEN 64

unsigned rete_edit_distance(const char *a, const char *b)
{
	unsigned d[MAXLEN + 1][MAXLEN + 1];
	size_t la = strlen(a), lb = strlen(b);

	if (la > MAXLEN || lb > MAXLEN)
		return 255;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb] > 255 ? 255 : d[la][lb];
}

void rete_suggest_init(struct rete_suggest *s, const char *word)
{
	s->word = word;
	s->best = NULL;
	s->best_dist = 255;
}

void rete_suggest_offer(struct rete_suggest *s, const char *candidate)
{
	size_t len = strlen(s->word);
	unsigned limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
	unsigned dist = rete_edit_distance(s->word, candidate);

	if (dist <= limit && dist < s->best_dist) {
		s->best = candidate;
		s->best_dist = dist;
	}
}
