build-clang/src/render/script.o: src/render/script.c src/render/script.h \
  src/profile/model.h src/util/hashmap.h src/util/vec.h src/util/die.h \
  src/util/strbuf.h

src/render/script.h:

src/profile/model.h:

src/util/hashmap.h:

src/util/vec.h:

src/util/die.h:

src/util/strbuf.h:
