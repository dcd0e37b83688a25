import { describe, expect, it } from 'vitest';
import {
  countWords,
  minutesPhrase,
  READING_WORDS_PER_MINUTE,
  readingMinutes,
  sampleOf,
  typedReadingTime,
} from '../../templates/reading';

describe('what the build derives from the course text', () => {
  it('counts a contraction or a hyphenated word as one word, and skips punctuation', () => {
    expect(countWords('Don’t wait — follow-up in 5 days, “please”.')).toBe(7);
  });

  it(`reads at ${READING_WORDS_PER_MINUTE} words a minute, rounded to whole minutes, never zero`, () => {
    expect(readingMinutes(10)).toBe(1);
    expect(readingMinutes(READING_WORDS_PER_MINUTE * 2.4)).toBe(2);
    expect(readingMinutes(READING_WORDS_PER_MINUTE * 2.6)).toBe(3);
  });

  it('says one time when every lesson takes as long, and a range otherwise', () => {
    expect(minutesPhrase([1, 1, 1])).toBe('about 1 minute');
    expect(minutesPhrase([2, 1, 3])).toBe('1 to 3 minutes');
  });

  it('takes the sample from the opening paragraphs after the greeting, with hard wraps joined', () => {
    const lesson = 'Hi {{firstName}},\n\nOne line\nwrapped.\n\nTwo.\n\nThree.\n\nFour.\n';
    expect(sampleOf(lesson)).toEqual(['One line wrapped.', 'Two.', 'Three.']);
  });

  it('finds a reading time typed by hand, and nothing in a placeholder', () => {
    expect(typedReadingTime('Each is about a three-minute read.')).toBe('three-minute read');
    expect(typedReadingTime('It takes 2 minutes to read.')).toBe('2 minutes to read');
    expect(typedReadingTime('Each takes {{lessonReadingTime}} to read.')).toBeUndefined();
  });
});
