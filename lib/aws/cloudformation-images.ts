/**
 * The machine image a stack's instances boot: the spec's amiId when set, else the newest Flatcar
 * Container Linux image of the spec's release channel for the instance architecture (published by
 * Flatcar's AWS account). In the local cloud, which has no Flatcar images, any image of the
 * architecture stands in (nothing boots there).
 */
import { DescribeImagesCommand, type EC2Client, type Image } from '@aws-sdk/client-ec2';
import type { ClusterSpec } from '../spec/types.ts';

/** The AWS account that publishes Flatcar Container Linux AMIs. */
export const FLATCAR_OWNER_ID = '075585003325';

export class ImageNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageNotFoundError';
  }
}

export interface ImageSource {
  imageFor(spec: ClusterSpec, architecture: 'arm64' | 'x86_64'): Promise<string>;
}

const newest = (images: Image[]) =>
  [...images].sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0];

/** Flatcar images from EC2 (cached per channel and architecture for the life of the process). */
export function flatcarImages(ec2: EC2Client): ImageSource {
  const cache = new Map<string, Promise<string>>();
  return {
    imageFor(spec, architecture) {
      if (spec.amiId) return Promise.resolve(spec.amiId);
      const key = `${spec.releaseChannel}/${architecture}`;
      let found = cache.get(key);
      if (!found) {
        found = ec2
          .send(
            new DescribeImagesCommand({
              Owners: [FLATCAR_OWNER_ID],
              Filters: [
                { Name: 'name', Values: [`Flatcar-${spec.releaseChannel}-*`] },
                { Name: 'architecture', Values: [architecture] },
                { Name: 'state', Values: ['available'] },
              ],
            }),
          )
          .then((result) => {
            const image = newest(result.Images ?? []);
            if (!image?.ImageId) {
              throw new ImageNotFoundError(
                `no Flatcar ${spec.releaseChannel} image for ${architecture} in ${spec.region}`,
              );
            }
            return image.ImageId;
          });
        // A failed lookup is not cached: the next attempt asks again.
        found.catch(() => cache.delete(key));
        cache.set(key, found);
      }
      return found;
    },
  };
}

/**
 * Local cloud: the first (by id) of the emulator's Amazon Linux 2023 images of the architecture; the
 * spec's amiId when set. Cached per architecture.
 */
export function anyImageOfArchitecture(ec2: EC2Client): ImageSource {
  const cache = new Map<string, Promise<string>>();
  return {
    imageFor(spec, architecture) {
      if (spec.amiId) return Promise.resolve(spec.amiId);
      let found = cache.get(architecture);
      if (!found) {
        // Narrowed to Amazon Linux 2023 (which the emulator has for both architectures): listing all its
        // images takes seconds.
        const filters = [
          { Name: 'architecture', Values: [architecture] },
          { Name: 'name', Values: ['al2023-ami-2023*'] },
        ];
        found = ec2
          .send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: filters }))
          .then((result) => {
            const [first] = (result.Images ?? []).flatMap((i) => (i.ImageId ? [i.ImageId] : [])).sort();
            if (!first) throw new ImageNotFoundError(`the local cloud has no ${architecture} image`);
            return first;
          });
        found.catch(() => cache.delete(architecture));
        cache.set(architecture, found);
      }
      return found;
    },
  };
}
