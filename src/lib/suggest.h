/* "did you mean ..." suggestions by edit distance. */
#ifndef RETE_LIB_SUGGEST_H
#define RETE_LIB_SUGGEST_H

#include <stddef.h>

/* Edit distance (insert, delete, substitute, transpose), capped at 255. */
unsigned rete_edit_distance(const char *a, const char *b);

struct rete_suggest {
	const char *word;
	const char *best;	/* borrowed from the candidates; NULL when nothing is close */
	unsigned best_dist;
};

void rete_suggest_init(struct rete_suggest *s, const char *word);
/* Offer a candidate; keeps the closest one within a distance that makes sense for word. */
void rete_suggest_offer(struct rete_suggest *s, const char *candidate);

#endif
