build-clang/src/profile/format.o: src/profile/format.c \
  src/profile/format.h src/util/die.h src/util/hashmap.h \
  src/util/strbuf.h src/util/vec.h

src/profile/format.h:

src/util/die.h:

src/util/hashmap.h:

src/util/strbuf.h:

src/util/vec.h:
